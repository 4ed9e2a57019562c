-- AlterTable
ALTER TABLE "Execution" ADD COLUMN     "optimizationId" TEXT;

-- AlterTable
ALTER TABLE "EvalRun" ADD COLUMN     "optimizationId" TEXT;

-- CreateTable
CREATE TABLE "Optimization" (
    "id" TEXT NOT NULL,
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
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Optimization_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Optimization_startedAt_idx" ON "Optimization"("startedAt");

-- CreateIndex
CREATE INDEX "Execution_optimizationId_idx" ON "Execution"("optimizationId");

-- CreateIndex
CREATE INDEX "EvalRun_optimizationId_idx" ON "EvalRun"("optimizationId");

-- AddForeignKey
ALTER TABLE "Execution" ADD CONSTRAINT "Execution_optimizationId_fkey" FOREIGN KEY ("optimizationId") REFERENCES "Optimization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvalRun" ADD CONSTRAINT "EvalRun_optimizationId_fkey" FOREIGN KEY ("optimizationId") REFERENCES "Optimization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Optimization" ADD CONSTRAINT "Optimization_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Optimization" ADD CONSTRAINT "Optimization_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt"("id") ON DELETE SET NULL ON UPDATE CASCADE;
