-- CreateTable
CREATE TABLE "Project" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "rootPath" TEXT,
    "defaultModel" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Prompt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "projectId" INTEGER,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Prompt_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PromptVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "promptId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "body" TEXT NOT NULL,
    "system" TEXT,
    "variables" TEXT NOT NULL DEFAULT '[]',
    "model" TEXT,
    "parameters" TEXT NOT NULL DEFAULT '{}',
    "message" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PromptVersion_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Execution" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" INTEGER,
    "promptVersionId" INTEGER,
    "workflowRunId" TEXT,
    "stepId" TEXT,
    "sessionId" TEXT,
    "phase" TEXT,
    "model" TEXT NOT NULL,
    "baseUrlHost" TEXT,
    "parameters" TEXT NOT NULL DEFAULT '{}',
    "system" TEXT,
    "messages" TEXT NOT NULL DEFAULT '[]',
    "variables" TEXT NOT NULL DEFAULT '{}',
    "response" TEXT,
    "finishReason" TEXT,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    "costUsd" REAL,
    "latencyMs" INTEGER,
    "cacheHit" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Execution_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Execution_promptVersionId_fkey" FOREIGN KEY ("promptVersionId") REFERENCES "PromptVersion" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Execution_workflowRunId_fkey" FOREIGN KEY ("workflowRunId") REFERENCES "WorkflowRun" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Execution_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "OrchestrationSession" ("sessionId") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CacheEntry" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "model" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "finishReason" TEXT,
    "usage" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHitAt" DATETIME,
    "hitCount" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "Workflow" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "projectId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "definition" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Workflow_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WorkflowRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" INTEGER,
    "projectId" INTEGER,
    "workflowName" TEXT NOT NULL,
    "workflowVersion" INTEGER,
    "definition" TEXT NOT NULL,
    "inputs" TEXT NOT NULL DEFAULT '{}',
    "outputs" TEXT,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "pid" INTEGER,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WorkflowRun_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WorkflowRun_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StepRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "output" TEXT,
    "executionId" TEXT,
    "error" TEXT,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "StepRun_runId_fkey" FOREIGN KEY ("runId") REFERENCES "WorkflowRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "StepRun_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OrchestrationSession" (
    "sessionId" TEXT NOT NULL PRIMARY KEY,
    "projectId" INTEGER NOT NULL,
    "featureRequest" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'planning',
    "model" TEXT,
    "orchestratorTemplate" TEXT,
    "analysisTemplate" TEXT,
    "implementationTemplate" TEXT,
    "executionNotes" TEXT,
    "planResponse" TEXT,
    "analysisResults" TEXT,
    "implementationResult" TEXT,
    "complexity" TEXT,
    "timeEstimate" TEXT,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OrchestrationSession_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Project_name_key" ON "Project"("name");

-- CreateIndex
CREATE INDEX "Prompt_name_idx" ON "Prompt"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Prompt_projectId_name_key" ON "Prompt"("projectId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "PromptVersion_promptId_version_key" ON "PromptVersion"("promptId", "version");

-- CreateIndex
CREATE INDEX "Execution_createdAt_idx" ON "Execution"("createdAt");

-- CreateIndex
CREATE INDEX "Execution_status_idx" ON "Execution"("status");

-- CreateIndex
CREATE INDEX "Execution_model_idx" ON "Execution"("model");

-- CreateIndex
CREATE INDEX "Execution_promptVersionId_idx" ON "Execution"("promptVersionId");

-- CreateIndex
CREATE INDEX "Execution_workflowRunId_idx" ON "Execution"("workflowRunId");

-- CreateIndex
CREATE INDEX "Execution_sessionId_idx" ON "Execution"("sessionId");

-- CreateIndex
CREATE INDEX "CacheEntry_createdAt_idx" ON "CacheEntry"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Workflow_projectId_name_key" ON "Workflow"("projectId", "name");

-- CreateIndex
CREATE INDEX "WorkflowRun_workflowId_idx" ON "WorkflowRun"("workflowId");

-- CreateIndex
CREATE INDEX "WorkflowRun_startedAt_idx" ON "WorkflowRun"("startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "StepRun_runId_stepId_key" ON "StepRun"("runId", "stepId");

-- CreateIndex
CREATE INDEX "OrchestrationSession_projectId_idx" ON "OrchestrationSession"("projectId");

-- CreateIndex
CREATE INDEX "OrchestrationSession_status_idx" ON "OrchestrationSession"("status");

-- Full-text search over executions: what was sent and what came back. Written by hand, since
-- the schema engine does not model FTS5; these tables are listed as external tables in
-- src/db/schema-engine.ts. Row ids follow "Execution".rowid.
CREATE VIRTUAL TABLE "execution_fts" USING fts5(
    "execution_id" UNINDEXED,
    "prompt",
    "response",
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER "Execution_fts_insert" AFTER INSERT ON "Execution" BEGIN
    INSERT INTO "execution_fts" ("rowid", "execution_id", "prompt", "response")
    VALUES (
        NEW.rowid,
        NEW."id",
        COALESCE(NEW."system", '') || char(10) || COALESCE(CASE WHEN json_valid(NEW."messages") THEN
            (SELECT group_concat(json_extract(value, '$.content'), char(10)) FROM json_each(NEW."messages"))
        END, ''),
        COALESCE(NEW."response", '')
    );
END;

CREATE TRIGGER "Execution_fts_update" AFTER UPDATE OF "system", "messages", "response" ON "Execution" BEGIN
    DELETE FROM "execution_fts" WHERE "rowid" = OLD.rowid;
    INSERT INTO "execution_fts" ("rowid", "execution_id", "prompt", "response")
    VALUES (
        NEW.rowid,
        NEW."id",
        COALESCE(NEW."system", '') || char(10) || COALESCE(CASE WHEN json_valid(NEW."messages") THEN
            (SELECT group_concat(json_extract(value, '$.content'), char(10)) FROM json_each(NEW."messages"))
        END, ''),
        COALESCE(NEW."response", '')
    );
END;

CREATE TRIGGER "Execution_fts_delete" AFTER DELETE ON "Execution" BEGIN
    DELETE FROM "execution_fts" WHERE "rowid" = OLD.rowid;
END;
