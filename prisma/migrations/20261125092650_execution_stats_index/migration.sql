-- DropIndex
DROP INDEX "Execution_model_idx";

-- CreateIndex
CREATE INDEX "Execution_stats_idx" ON "Execution"("model", "createdAt", "status", "cacheHit", "inputTokens", "outputTokens", "costUsd", "latencyMs", "promptVersionId");
