-- CreateTable
CREATE TABLE "EvalRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" INTEGER,
    "name" TEXT NOT NULL,
    "file" TEXT,
    "definition" TEXT NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL,
    "error" TEXT,
    "pid" INTEGER,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "EvalRun_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EvalResult" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "variant" INTEGER NOT NULL,
    "repeat" INTEGER NOT NULL DEFAULT 0,
    "executionId" TEXT,
    "output" TEXT,
    "pass" BOOLEAN NOT NULL,
    "score" REAL NOT NULL,
    "assertions" TEXT NOT NULL DEFAULT '[]',
    "error" TEXT,
    "latencyMs" INTEGER,
    "costUsd" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EvalResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "EvalRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvalResult_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "EvalRun_name_startedAt_idx" ON "EvalRun"("name", "startedAt");

-- CreateIndex
CREATE INDEX "EvalResult_executionId_idx" ON "EvalResult"("executionId");

-- CreateIndex
CREATE UNIQUE INDEX "EvalResult_runId_caseId_variant_repeat_key" ON "EvalResult"("runId", "caseId", "variant", "repeat");
