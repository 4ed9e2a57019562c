// Optimizations: a prompt, the eval it was measured with, the story of its rounds (kept as
// JSON, rewritten as the run goes on) and the version it saved, if any. The calls it made are
// executions that name it; the measurements, eval runs that name it.
import type { ErrorJson } from '../../core/errors.js';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';

export type OptimizationStatus =
  | 'running'
  | 'saved'
  | 'not_saved'
  | 'stopped'
  | 'cancelled'
  | 'failed'
  /** Shown, never stored: running, but its process has ended. */
  | 'interrupted';

export interface OptimizationRecord {
  id: string;
  projectId: number | null;
  promptId: number | null;
  prompt: string;
  startVersion: number;
  savedVersion: number | null;
  evalFile: string;
  definition: string;
  config: Record<string, unknown>;
  story: Record<string, unknown>;
  status: OptimizationStatus;
  /** Why it ended early, as the error a command prints. */
  error: ErrorJson | null;
  pid: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  /** The calls recorded for it, and what they cost. */
  calls: number;
  costUsd: number;
}

type Row = Prisma.OptimizationModel;

function toRecord(row: Row, spent?: { calls: number; costUsd: number }): OptimizationRecord {
  return {
    ...row,
    config: JSON.parse(row.config) as Record<string, unknown>,
    story: JSON.parse(row.story) as Record<string, unknown>,
    status: row.status as OptimizationStatus,
    error: row.error === null ? null : (JSON.parse(row.error) as ErrorJson),
    calls: spent?.calls ?? 0,
    costUsd: spent?.costUsd ?? 0,
  };
}

export class OptimizationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(run: {
    id: string;
    projectId: number | null;
    promptId: number;
    prompt: string;
    startVersion: number;
    evalFile: string;
    definition: string;
    config: Record<string, unknown>;
    story: object;
    pid: number;
  }): Promise<void> {
    const { config, story, ...row } = run;
    await withBusyRetry(() =>
      this.prisma.optimization.create({
        data: {
          ...row,
          config: JSON.stringify(config),
          story: JSON.stringify(story),
          status: 'running',
        },
        select: { id: true },
      }),
    );
  }

  /** Keeps the story so far. */
  async saveStory(id: string, story: object): Promise<void> {
    await withBusyRetry(() =>
      this.prisma.optimization.update({
        where: { id },
        data: { story: JSON.stringify(story) },
        select: { id: true },
      }),
    );
  }

  async finish(
    id: string,
    end: {
      status: Exclude<OptimizationStatus, 'running' | 'interrupted'>;
      story: object;
      savedVersion?: number;
      error?: ErrorJson;
    },
  ): Promise<void> {
    await withBusyRetry(() =>
      this.prisma.optimization.update({
        where: { id },
        data: {
          status: end.status,
          story: JSON.stringify(end.story),
          savedVersion: end.savedVersion ?? null,
          error: end.error ? JSON.stringify(end.error) : null,
          pid: null,
          finishedAt: new Date(),
        },
        select: { id: true },
      }),
    );
  }

  /** Newest first. */
  async list(filter: { projectId?: number; prompt?: string; limit: number }) {
    const rows = await this.prisma.optimization.findMany({
      where: { projectId: filter.projectId, prompt: filter.prompt },
      orderBy: { startedAt: 'desc' },
      take: filter.limit,
    });
    return this.withSpent(rows);
  }

  /** Optimizations whose id starts with `prefix` (at most `limit`). */
  async byPrefix(prefix: string, limit = 6): Promise<OptimizationRecord[]> {
    const rows = await this.prisma.optimization.findMany({
      where: { id: { startsWith: prefix } },
      take: limit,
    });
    return this.withSpent(rows);
  }

  private async withSpent(rows: Row[]): Promise<OptimizationRecord[]> {
    const groups = await this.prisma.execution.groupBy({
      by: ['optimizationId'],
      where: { optimizationId: { in: rows.map((row) => row.id) }, cacheHit: false },
      _count: { _all: true },
      _sum: { costUsd: true },
    });
    const spent = new Map(
      groups.map((g) => [g.optimizationId, { calls: g._count._all, costUsd: g._sum.costUsd ?? 0 }]),
    );
    return rows.map((row) => toRecord(row, spent.get(row.id)));
  }
}
