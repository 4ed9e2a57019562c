// Orchestration sessions, and the cost of their phases from the executions linked to them.
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';

export type SessionStatus = 'planning' | 'analysis' | 'implementation' | 'completed';
export type SessionRecord = Omit<Prisma.OrchestrationSessionModel, 'status'> & {
  status: SessionStatus;
  projectName: string;
};
export type SessionChanges = Partial<
  Omit<Prisma.OrchestrationSessionModel, 'sessionId' | 'projectId' | 'createdAt' | 'updatedAt'>
>;

export interface PhaseUsage {
  phase: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  latencyMs: number;
}

function toSession(
  row: Prisma.OrchestrationSessionModel & { project: { name: string } },
): SessionRecord {
  const { project, ...session } = row;
  return { ...session, status: session.status as SessionStatus, projectName: project.name };
}

const withProject = { project: { select: { name: true } } } as const;

export class OrchestrationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(data: {
    sessionId: string;
    projectId: number;
    featureRequest: string;
    model: string | null;
  }) {
    return toSession(await this.prisma.orchestrationSession.create({ data, include: withProject }));
  }

  async update(sessionId: string, data: SessionChanges): Promise<SessionRecord> {
    const row = await withBusyRetry(() =>
      this.prisma.orchestrationSession.update({ where: { sessionId }, data, include: withProject }),
    );
    return toSession(row);
  }

  async byPrefix(prefix: string, limit = 6): Promise<SessionRecord[]> {
    const rows = await this.prisma.orchestrationSession.findMany({
      where: { sessionId: { startsWith: prefix } },
      include: withProject,
      take: limit,
    });
    return rows.map(toSession);
  }

  async list(filter: {
    projectId?: number;
    status?: SessionStatus;
    limit: number;
  }): Promise<SessionRecord[]> {
    const rows = await this.prisma.orchestrationSession.findMany({
      where: {
        ...(filter.projectId !== undefined ? { projectId: filter.projectId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      },
      include: withProject,
      orderBy: { createdAt: 'desc' },
      take: filter.limit,
    });
    return rows.map(toSession);
  }

  async delete(sessionId: string): Promise<void> {
    await this.prisma.orchestrationSession.delete({ where: { sessionId } });
  }

  async usage(sessionId: string): Promise<PhaseUsage[]> {
    const rows = await this.prisma.execution.groupBy({
      by: ['phase'],
      where: { sessionId },
      _count: { _all: true },
      _sum: { inputTokens: true, outputTokens: true, costUsd: true, latencyMs: true },
    });
    // In the order the phases run.
    const rank = (phase: string) => {
      const at = ['plan', 'locate', 'analyze', 'implement'].indexOf(phase);
      return at < 0 ? 4 : at;
    };
    rows.sort((a, b) => rank(a.phase ?? '') - rank(b.phase ?? ''));
    return rows.map((row) => ({
      phase: row.phase ?? 'unknown',
      calls: row._count._all,
      inputTokens: row._sum.inputTokens ?? 0,
      outputTokens: row._sum.outputTokens ?? 0,
      costUsd: row._sum.costUsd,
      latencyMs: row._sum.latencyMs ?? 0,
    }));
  }
}
