// What the execution repository asks of the database that Prisma's query API cannot express
// or cannot do fast enough, in SQL both engines read alike: the statistics (conditional sums,
// grouping by day), a write that changes nothing, and the insert of a batch of calls (the
// full-text search differs: execution-search.<engine>.ts). Prisma plans a createMany afresh for every
// batch, in time proportional to its rows (its plan cache does not hold it), which costs
// batches of model calls more than the calls themselves (`npm run bench`, batch). Tagged
// templates of Prisma's raw API: every value is a bound parameter.
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { StatsDimension, StatsRow } from './execution-repository.js';

/** Rows at most per INSERT: 25 values each, well under either engine's limit of bound values. */
const INSERT_ROWS = 500;

/** Inserts the rows, a statement per INSERT_ROWS of them. */
export async function insertExecutions(
  prisma: PrismaClient,
  rows: (Prisma.ExecutionCreateManyInput & { createdAt: Date })[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_ROWS) {
    const values = rows.slice(start, start + INSERT_ROWS).map(
      (r) => Prisma.sql`(${r.id}, ${r.projectId ?? null}, ${r.promptVersionId ?? null},
        ${r.workflowRunId ?? null}, ${r.stepId ?? null}, ${r.sessionId ?? null}, ${r.phase ?? null},
        ${r.model}, ${r.baseUrlHost ?? null}, ${r.parameters ?? '{}'}, ${r.system ?? null},
        ${r.messages ?? '[]'}, ${r.variables ?? '{}'}, ${r.response ?? null}, ${r.finishReason ?? null},
        ${r.status}, ${r.error ?? null}, ${r.attempts ?? 1}, ${r.inputTokens ?? null},
        ${r.outputTokens ?? null}, ${r.costUsd ?? null}, ${r.latencyMs ?? null},
        ${r.cacheHit ?? false}, ${r.createdBy ?? null}, ${r.optimizationId ?? null}, ${r.createdAt})`,
    );
    await prisma.$executeRaw`
      INSERT INTO "Execution" ("id", "projectId", "promptVersionId", "workflowRunId", "stepId",
        "sessionId", "phase", "model", "baseUrlHost", "parameters", "system", "messages",
        "variables", "response", "finishReason", "status", "error", "attempts", "inputTokens",
        "outputTokens", "costUsd", "latencyMs", "cacheHit", "createdBy", "optimizationId", "createdAt")
      VALUES ${Prisma.join(values)}`;
  }
}

const STATS_KEYS: Record<StatsDimension, Prisma.Sql> = {
  model: Prisma.sql`e."model"`,
  // SQLite keeps ISO text, PostgreSQL a timestamp whose text starts with the same date.
  day: Prisma.sql`substr(CAST(e."createdAt" AS TEXT), 1, 10)`,
  prompt: Prisma.sql`COALESCE(p."name", '(no prompt)')`,
};

export async function executionStats(
  prisma: PrismaClient,
  by: StatsDimension,
  since?: Date,
): Promise<StatsRow[]> {
  const prompts =
    by === 'prompt'
      ? Prisma.sql`LEFT JOIN "PromptVersion" v ON v."id" = e."promptVersionId"
                   LEFT JOIN "Prompt" p ON p."id" = v."promptId"`
      : Prisma.empty;
  const where = since ? Prisma.sql`WHERE e."createdAt" >= ${since}` : Prisma.empty;
  const order = by === 'day' ? Prisma.sql`key DESC` : Prisma.sql`calls DESC, key`;
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT ${STATS_KEYS[by]} AS key,
           COUNT(*) AS calls,
           SUM(CASE WHEN e."status" = 'error' THEN 1 ELSE 0 END) AS errors,
           SUM(CASE WHEN e."cacheHit" THEN 1 ELSE 0 END) AS "cacheHits",
           COALESCE(SUM(e."inputTokens"), 0) AS "inputTokens",
           COALESCE(SUM(e."outputTokens"), 0) AS "outputTokens",
           SUM(e."costUsd") AS "costUsd",
           AVG(e."latencyMs") AS "meanLatencyMs"
      FROM "Execution" e ${prompts} ${where}
     GROUP BY key ORDER BY ${order}`;
  return rows.map((row) => ({
    key: String(row.key),
    calls: Number(row.calls),
    errors: Number(row.errors),
    cacheHits: Number(row.cacheHits ?? 0),
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
    costUsd: row.costUsd === null ? null : Number(row.costUsd),
    meanLatencyMs: row.meanLatencyMs === null ? null : Number(row.meanLatencyMs),
  }));
}

/** A write that changes nothing: fails when the file or its folder cannot be written. */
export async function touchExecutions(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRaw`DELETE FROM "Execution" WHERE 1 = 0`;
}
