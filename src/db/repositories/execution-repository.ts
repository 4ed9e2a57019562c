// Executions: one row per model call (success, error, cancelled, cache hit), searchable
// through the execution_fts table kept by triggers (see the first migration).
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';
import type { Sql } from '../sql.js';

export type ExecutionStatus = 'success' | 'error' | 'cancelled';

export interface ExecutionData {
  id: string;
  projectId: number | null;
  promptVersionId: number | null;
  workflowRunId?: string | null;
  stepId?: string | null;
  sessionId?: string | null;
  phase?: string | null;
  model: string;
  baseUrlHost: string | null;
  parameters: Record<string, unknown>;
  system: string | null;
  messages: { role: string; content: string }[];
  variables: Record<string, unknown>;
  response: string | null;
  finishReason: string | null;
  status: ExecutionStatus;
  error: string | null;
  attempts: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  cacheHit: boolean;
  /** When the call was made (default: when the row is written). */
  createdAt?: Date;
}

export interface ExecutionRecord
  extends Omit<ExecutionData, 'parameters' | 'messages' | 'variables'> {
  parameters: Record<string, unknown>;
  messages: { role: string; content: string }[];
  variables: Record<string, unknown>;
  createdAt: Date;
  promptName: string | null;
  promptVersion: number | null;
  projectName: string | null;
}

export interface ExecutionFilter {
  limit?: number;
  status?: ExecutionStatus;
  promptName?: string;
  model?: string;
  since?: Date;
  projectId?: number;
}

export interface SearchHit {
  id: string;
  createdAt: string;
  model: string;
  status: string;
  promptSnippet: string;
  responseSnippet: string;
  rank: number;
}

export type StatsDimension = 'model' | 'day' | 'prompt';

export interface StatsRow {
  key: string;
  calls: number;
  errors: number;
  cacheHits: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  meanLatencyMs: number | null;
}

const INSERT_COLUMNS = [
  'id',
  'projectId',
  'promptVersionId',
  'workflowRunId',
  'stepId',
  'sessionId',
  'phase',
  'model',
  'baseUrlHost',
  'parameters',
  'system',
  'messages',
  'variables',
  'response',
  'finishReason',
  'status',
  'error',
  'attempts',
  'inputTokens',
  'outputTokens',
  'costUsd',
  'latencyMs',
  'cacheHit',
] as const satisfies readonly (keyof ExecutionData)[];

/** Markers around matched terms in search snippets. */
export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';

const withPrompt = {
  promptVersion: { select: { version: true, prompt: { select: { name: true } } } },
  project: { select: { name: true } },
} as const;

type Row = Prisma.ExecutionModel & {
  promptVersion: { version: number; prompt: { name: string } } | null;
  project: { name: string } | null;
};

function toRecord({ promptVersion, project, ...row }: Row): ExecutionRecord {
  return {
    ...row,
    status: row.status as ExecutionStatus,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    messages: JSON.parse(row.messages) as { role: string; content: string }[],
    variables: JSON.parse(row.variables) as Record<string, unknown>,
    promptName: promptVersion?.prompt.name ?? null,
    promptVersion: promptVersion?.version ?? null,
    projectName: project?.name ?? null,
  };
}

const SELECT_WITH_PROMPT = `
  SELECT e.*, v."version" AS promptVersion, p."name" AS promptName, pr."name" AS projectName
    FROM "Execution" e
    LEFT JOIN "PromptVersion" v ON v."id" = e."promptVersionId"
    LEFT JOIN "Prompt" p ON p."id" = v."promptId"
    LEFT JOIN "Project" pr ON pr."id" = e."projectId"`;

type SqlRow = Omit<Prisma.ExecutionModel, 'cacheHit' | 'createdAt'> & {
  cacheHit: number | boolean;
  createdAt: string | Date;
  promptVersion: number | null;
  promptName: string | null;
  projectName: string | null;
};

function fromSql({ promptVersion, promptName, projectName, ...row }: SqlRow): ExecutionRecord {
  return toRecord({
    ...row,
    cacheHit: Boolean(row.cacheHit),
    createdAt: new Date(row.createdAt),
    promptVersion:
      promptVersion === null
        ? null
        : { version: promptVersion, prompt: { name: promptName ?? '' } },
    project: projectName === null ? null : { name: projectName },
  });
}

/** SQLite stores the adapter's DateTime as ISO text with an explicit offset. */
export function sqlTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

export class ExecutionRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
  ) {}

  create(data: ExecutionData): Promise<void> {
    return this.createMany([data]);
  }

  /**
   * One INSERT for all the rows. Written as SQL: Prisma's query compiler takes time in
   * proportion to the data it is given, which for a batch of calls is most of the cost.
   */
  async createMany(rows: ExecutionData[]): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date();
    const values = rows.flatMap((row) => [
      ...INSERT_COLUMNS.map((column) => {
        const value = row[column];
        if (value === undefined) return null;
        if (typeof value === 'boolean') return value ? 1 : 0;
        return typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
      }),
      sqlTime(row.createdAt ?? now),
    ]);
    const placeholders = `(${[...INSERT_COLUMNS, 'createdAt'].map(() => '?').join(', ')})`;
    await withBusyRetry(() =>
      this.sql.execute(
        `INSERT INTO "Execution" (${[...INSERT_COLUMNS, 'createdAt'].map((c) => `"${c}"`).join(', ')})
         VALUES ${rows.map(() => placeholders).join(', ')}`,
        ...values,
      ),
    );
  }

  /** Newest first. Plain SQL: `execution list` is read often and must start fast. */
  async list(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    const conditions: string[] = [];
    const args: unknown[] = [];
    const where = (condition: string, value: unknown) => {
      conditions.push(condition);
      args.push(value);
    };
    if (filter.status) where('e."status" = ?', filter.status);
    if (filter.model) where('e."model" = ?', filter.model);
    if (filter.since) where('e."createdAt" >= ?', sqlTime(filter.since));
    if (filter.projectId !== undefined) where('e."projectId" = ?', filter.projectId);
    if (filter.promptName) where('p."name" = ?', filter.promptName);
    const rows = await this.sql.query<SqlRow>(
      `${SELECT_WITH_PROMPT}
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY e."createdAt" DESC, e."id" DESC LIMIT ?`,
      ...args,
      filter.limit ?? 20,
    );
    return rows.map(fromSql);
  }

  /** Executions whose id starts with `prefix` (at most `limit`). */
  async findByPrefix(prefix: string, limit = 10): Promise<ExecutionRecord[]> {
    const rows = await this.sql.query<SqlRow>(
      `${SELECT_WITH_PROMPT} WHERE e."id" >= ? AND e."id" < ? LIMIT ?`,
      prefix,
      `${prefix}\uffff`,
      limit,
    );
    return rows.map(fromSql);
  }

  /** Best matches first, with the matched terms between MATCH_START and MATCH_END. */
  async search(match: string, limit: number): Promise<SearchHit[]> {
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT e."id" AS id, e."createdAt" AS createdAt, e."model" AS model, e."status" AS status,
              snippet(execution_fts, 1, '${MATCH_START}', '${MATCH_END}', '…', 12) AS promptSnippet,
              snippet(execution_fts, 2, '${MATCH_START}', '${MATCH_END}', '…', 12) AS responseSnippet,
              bm25(execution_fts) AS rank
         FROM execution_fts JOIN "Execution" e ON e.rowid = execution_fts.rowid
        WHERE execution_fts MATCH ?
        ORDER BY rank LIMIT ?`,
      match,
      limit,
    );
    return rows.map((row) => ({
      id: String(row.id),
      createdAt: String(row.createdAt),
      model: String(row.model),
      status: String(row.status),
      promptSnippet: String(row.promptSnippet ?? ''),
      responseSnippet: String(row.responseSnippet ?? ''),
      rank: Number(row.rank),
    }));
  }

  async stats(by: StatsDimension, since?: Date): Promise<StatsRow[]> {
    const key = {
      model: 'e."model"',
      day: 'substr(e."createdAt", 1, 10)',
      prompt: `COALESCE(p."name", '(no prompt)')`,
    }[by];
    const rows = await this.sql.query<Record<string, unknown>>(
      `SELECT ${key} AS key,
              COUNT(*) AS calls,
              SUM(CASE WHEN e."status" = 'error' THEN 1 ELSE 0 END) AS errors,
              SUM(e."cacheHit") AS cacheHits,
              COALESCE(SUM(e."inputTokens"), 0) AS inputTokens,
              COALESCE(SUM(e."outputTokens"), 0) AS outputTokens,
              SUM(e."costUsd") AS costUsd,
              AVG(e."latencyMs") AS meanLatencyMs
         FROM "Execution" e
        ${by === 'prompt' ? 'LEFT JOIN "PromptVersion" v ON v."id" = e."promptVersionId" LEFT JOIN "Prompt" p ON p."id" = v."promptId"' : ''}
        ${since ? 'WHERE e."createdAt" >= ?' : ''}
        GROUP BY key ORDER BY ${by === 'day' ? 'key DESC' : 'calls DESC, key'}`,
      ...(since ? [sqlTime(since)] : []),
    );
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

  /** Every execution, oldest first, a page at a time (for exports of any size). */
  async *all(pageSize = 1000): AsyncGenerator<ExecutionRecord> {
    let cursor: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.prisma.execution.findMany({
        where: cursor
          ? {
              OR: [
                { createdAt: { gt: cursor.createdAt } },
                { createdAt: cursor.createdAt, id: { gt: cursor.id } },
              ],
            }
          : {},
        include: withPrompt,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: pageSize,
      });
      for (const row of rows) yield toRecord(row);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
  }

  /** Fails when the database cannot be written (read-only file or folder): a write that changes nothing. */
  async checkWritable(): Promise<void> {
    await withBusyRetry(() => this.sql.execute('DELETE FROM "Execution" WHERE 0'));
  }

  count(before?: Date): Promise<number> {
    return this.prisma.execution.count({ where: before ? { createdAt: { lt: before } } : {} });
  }

  async deleteBefore(before: Date): Promise<number> {
    const result = await withBusyRetry(() =>
      this.prisma.execution.deleteMany({ where: { createdAt: { lt: before } } }),
    );
    return result.count;
  }
}
