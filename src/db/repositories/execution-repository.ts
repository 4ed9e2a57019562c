// Executions: one row per model call (success, error, cancelled, cache hit), searchable
// through a full-text index kept by triggers (FTS5 on SQLite, tsvector on PostgreSQL). Search,
// statistics and the insert of a batch are SQL, beside this file.
import type { Engine } from '../../core/database-location.js';
import type { ChatMessage } from '../../core/model-client/types.js';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';
import { executionStats, insertExecutions, touchExecutions } from './execution-repository.sql.js';

export type ExecutionStatus = 'success' | 'error' | 'cancelled';

export interface ExecutionData {
  id: string;
  projectId: number | null;
  promptVersionId: number | null;
  workflowRunId?: string | null;
  stepId?: string | null;
  sessionId?: string | null;
  phase?: string | null;
  /** The optimization the call was made for. */
  optimizationId?: string | null;
  model: string;
  baseUrlHost: string | null;
  parameters: Record<string, unknown>;
  system: string | null;
  messages: ChatMessage[];
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
  /** Who made the call (recorded on shared stores). */
  createdBy?: string | null;
  /** When the call was made (default: when the row is written). */
  createdAt?: Date;
}

export interface ExecutionRecord
  extends Omit<ExecutionData, 'parameters' | 'messages' | 'variables'> {
  parameters: Record<string, unknown>;
  messages: ChatMessage[];
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
    messages: JSON.parse(row.messages) as ChatMessage[],
    variables: JSON.parse(row.variables) as Record<string, unknown>,
    promptName: promptVersion?.prompt.name ?? null,
    promptVersion: promptVersion?.version ?? null,
    projectName: project?.name ?? null,
  };
}

/** The columns of a new row: JSON-valued ones as JSON text. */
function toColumns({
  parameters,
  messages,
  variables,
  ...row
}: ExecutionData): Prisma.ExecutionCreateManyInput {
  return {
    ...row,
    parameters: JSON.stringify(parameters),
    messages: JSON.stringify(messages),
    variables: JSON.stringify(variables),
  };
}

export class ExecutionRepository {
  /** `user` is recorded as the maker of calls that do not name one (shared stores). */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly engine: Engine,
    private readonly user: string | null = null,
  ) {}

  create(data: ExecutionData): Promise<void> {
    return this.createMany([data]);
  }

  /** All the rows in one statement (of SQL: see execution-repository.sql.ts). */
  async createMany(rows: ExecutionData[]): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date();
    const data = rows.map((row) => ({
      ...toColumns(row),
      createdBy: row.createdBy ?? this.user,
      createdAt: row.createdAt ?? now,
    }));
    await withBusyRetry(() => insertExecutions(this.prisma, data));
  }

  /** Newest first. */
  async list(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    const rows = await this.prisma.execution.findMany({
      where: {
        status: filter.status,
        model: filter.model,
        projectId: filter.projectId,
        ...(filter.since ? { createdAt: { gte: filter.since } } : {}),
        ...(filter.promptName ? { promptVersion: { prompt: { name: filter.promptName } } } : {}),
      },
      include: withPrompt,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit ?? 20,
    });
    return rows.map(toRecord);
  }

  /** Executions whose id starts with `prefix` (at most `limit`): a range of the primary key. */
  async findByPrefix(prefix: string, limit = 10): Promise<ExecutionRecord[]> {
    const rows = await this.prisma.execution.findMany({
      where: { id: { gte: prefix, lt: `${prefix}\uffff` } },
      include: withPrompt,
      take: limit,
    });
    return rows.map(toRecord);
  }

  /**
   * Best matches first (`rank`: higher is better), with the matched terms between
   * MATCH_START and MATCH_END.
   */
  async search(match: string, limit: number): Promise<SearchHit[]> {
    const { searchExecutions } =
      this.engine === 'postgresql'
        ? await import('./execution-search.postgresql.js')
        : await import('./execution-search.sqlite.js');
    return searchExecutions(this.prisma, match, limit, [MATCH_START, MATCH_END]);
  }

  stats(by: StatsDimension, since?: Date): Promise<StatsRow[]> {
    return executionStats(this.prisma, by, since);
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
    await withBusyRetry(() => touchExecutions(this.prisma));
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
