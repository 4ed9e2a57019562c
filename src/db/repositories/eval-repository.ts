// Eval runs and their cells (a case × a variant × a repeat), each with its assertions.
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';
import { insertEvalResults } from './eval-repository.sql.js';

export type EvalStatus = 'running' | 'passed' | 'failed' | 'cancelled';

export interface EvalResultData {
  caseId: string;
  variant: number;
  repeat: number;
  executionId: string | null;
  output: string | null;
  pass: boolean;
  score: number;
  assertions: unknown[];
  error: string | null;
  latencyMs: number | null;
  costUsd: number | null;
}

export interface EvalResultRecord extends EvalResultData {
  inputTokens: number | null;
  outputTokens: number | null;
}

export interface EvalRunRecord {
  id: string;
  projectId: number | null;
  name: string;
  file: string | null;
  config: Record<string, unknown>;
  status: EvalStatus;
  error: string | null;
  /** The process that runs it, while it runs. */
  pid: number | null;
  /** The optimization it measured a prompt for, if any. */
  optimizationId: string | null;
  definition: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** Cells recorded, and how many of them passed. */
  cells: number;
  passed: number;
}

type RunRow = Prisma.EvalRunModel;

function toRun(row: RunRow, counts?: { cells: number; passed: number }): EvalRunRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    file: row.file,
    config: JSON.parse(row.config) as Record<string, unknown>,
    status: row.status as EvalStatus,
    error: row.error,
    pid: row.pid,
    optimizationId: row.optimizationId,
    definition: row.definition,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    cells: counts?.cells ?? 0,
    passed: counts?.passed ?? 0,
  };
}

export class EvalRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async createRun(run: {
    id: string;
    projectId: number | null;
    name: string;
    file: string | null;
    definition: string;
    config: Record<string, unknown>;
    pid: number;
    optimizationId?: string | null;
  }): Promise<void> {
    await withBusyRetry(() =>
      this.prisma.evalRun.create({
        data: { ...run, config: JSON.stringify(run.config), status: 'running' },
        select: { id: true },
      }),
    );
  }

  /** The cells in one statement (of SQL: see eval-repository.sql.ts). */
  async addResults(runId: string, results: EvalResultData[]): Promise<void> {
    if (results.length === 0) return;
    await withBusyRetry(() => insertEvalResults(this.prisma, runId, results));
  }

  /** Marks a stopped run as running again, in this process. */
  async restartRun(id: string, pid: number): Promise<void> {
    await withBusyRetry(() =>
      this.prisma.evalRun.updateMany({
        where: { id },
        data: { status: 'running', error: null, pid, finishedAt: null },
      }),
    );
  }

  async finishRun(id: string, status: EvalStatus, error: string | null = null): Promise<void> {
    await withBusyRetry(() =>
      this.prisma.evalRun.updateMany({
        where: { id },
        data: { status, error, pid: null, finishedAt: new Date() },
      }),
    );
  }

  /** Newest first, with their counts of cells and passed cells. */
  async list(filter: {
    projectId?: number;
    name?: string;
    limit: number;
  }): Promise<EvalRunRecord[]> {
    const rows = await this.prisma.evalRun.findMany({
      // An optimization's measurements are listed by `optimize show`, not here.
      where: { projectId: filter.projectId, name: filter.name, optimizationId: null },
      orderBy: { startedAt: 'desc' },
      take: filter.limit,
    });
    const counts = await this.counts(rows.map((row) => row.id));
    return rows.map((row) => toRun(row, counts.get(row.id)));
  }

  /** Runs whose id starts with `prefix` (at most `limit`). */
  async byPrefix(prefix: string, limit = 6): Promise<EvalRunRecord[]> {
    const rows = await this.prisma.evalRun.findMany({
      where: { id: { startsWith: prefix } },
      take: limit,
    });
    const counts = await this.counts(rows.map((row) => row.id));
    return rows.map((row) => toRun(row, counts.get(row.id)));
  }

  async results(runId: string): Promise<EvalResultRecord[]> {
    const rows = await this.prisma.evalResult.findMany({
      where: { runId },
      include: { execution: { select: { inputTokens: true, outputTokens: true } } },
      orderBy: { id: 'asc' },
    });
    return rows.map(({ execution, assertions, id: _id, runId: _run, createdAt: _at, ...row }) => ({
      ...row,
      assertions: JSON.parse(assertions) as unknown[],
      inputTokens: execution?.inputTokens ?? null,
      outputTokens: execution?.outputTokens ?? null,
    }));
  }

  async delete(id: string): Promise<void> {
    await withBusyRetry(() => this.prisma.evalRun.delete({ where: { id } }));
  }

  private async counts(ids: string[]): Promise<Map<string, { cells: number; passed: number }>> {
    const groups = await this.prisma.evalResult.groupBy({
      by: ['runId', 'pass'],
      where: { runId: { in: ids } },
      _count: { _all: true },
    });
    const counts = new Map<string, { cells: number; passed: number }>();
    for (const group of groups) {
      const entry = counts.get(group.runId) ?? { cells: 0, passed: 0 };
      entry.cells += group._count._all;
      if (group.pass) entry.passed += group._count._all;
      counts.set(group.runId, entry);
    }
    return counts;
  }
}
