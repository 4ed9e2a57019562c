-- CreateTable
CREATE TABLE "Optimization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" INTEGER,
    "promptId" INTEGER,
    "prompt" TEXT NOT NULL,
    "startVersion" INTEGER NOT NULL,
    "savedVersion" INTEGER,
    "evalFile" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "story" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL,
    "error" TEXT,
    "pid" INTEGER,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "Optimization_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Optimization_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Optimization_startedAt_idx" ON "Optimization"("startedAt");

-- AlterTable: columns added in place (SQLite accepts a nullable reference), so the executions
-- keep their rowids and the search triggers, and a large store is not copied.
ALTER TABLE "Execution" ADD COLUMN "optimizationId" TEXT REFERENCES "Optimization" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "EvalRun" ADD COLUMN "optimizationId" TEXT REFERENCES "Optimization" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "Execution_optimizationId_idx" ON "Execution"("optimizationId");

-- CreateIndex
CREATE INDEX "EvalRun_optimizationId_idx" ON "EvalRun"("optimizationId");
