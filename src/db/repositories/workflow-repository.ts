// Stored workflows, their runs and the runs' steps.
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export type WorkflowRecord = Prisma.WorkflowModel & { runCount: number };

export interface StepRunRecord {
  stepId: string;
  status: StepStatus;
  attempt: number;
  output: string | null;
  executionId: string | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

export interface RunRecord {
  id: string;
  workflowId: number | null;
  projectId: number | null;
  workflowName: string;
  workflowVersion: number | null;
  definition: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  status: RunStatus;
  error: string | null;
  pid: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  steps: StepRunRecord[];
}

export type NewRun = Pick<
  RunRecord,
  'id' | 'workflowId' | 'projectId' | 'workflowName' | 'workflowVersion' | 'definition' | 'inputs'
> & { pid: number; stepIds: string[] };

const withSteps = {
  steps: {
    include: { execution: { select: { inputTokens: true, outputTokens: true, costUsd: true } } },
    orderBy: { id: 'asc' },
  },
} as const;

type RunRow = Prisma.WorkflowRunModel & {
  steps: (Prisma.StepRunModel & {
    execution: {
      inputTokens: number | null;
      outputTokens: number | null;
      costUsd: number | null;
    } | null;
  })[];
};

function toRun(row: RunRow): RunRecord {
  return {
    ...row,
    status: row.status as RunStatus,
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    outputs: row.outputs === null ? null : (JSON.parse(row.outputs) as Record<string, unknown>),
    steps: row.steps.map(({ execution, ...step }) => ({
      ...step,
      status: step.status as StepStatus,
      inputTokens: execution?.inputTokens ?? null,
      outputTokens: execution?.outputTokens ?? null,
      costUsd: execution?.costUsd ?? null,
    })),
  };
}

export class WorkflowRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(projectId: number, name: string): Promise<WorkflowRecord | null> {
    const row = await this.prisma.workflow.findUnique({
      where: { projectId_name: { projectId, name } },
      include: { _count: { select: { runs: true } } },
    });
    return row ? { ...row, runCount: row._count.runs } : null;
  }

  async list(projectId: number): Promise<WorkflowRecord[]> {
    const rows = await this.prisma.workflow.findMany({
      where: { projectId },
      include: { _count: { select: { runs: true } } },
      orderBy: { name: 'asc' },
    });
    return rows.map((row) => ({ ...row, runCount: row._count.runs }));
  }

  async create(data: {
    projectId: number;
    name: string;
    description: string | null;
    definition: string;
  }): Promise<WorkflowRecord> {
    const row = await this.prisma.workflow.create({ data });
    return { ...row, runCount: 0 };
  }

  async update(
    id: number,
    data: { description: string | null; definition: string },
  ): Promise<WorkflowRecord> {
    const row = await this.prisma.workflow.update({
      where: { id },
      data: { ...data, version: { increment: 1 } },
      include: { _count: { select: { runs: true } } },
    });
    return { ...row, runCount: row._count.runs };
  }

  async delete(id: number): Promise<void> {
    await this.prisma.workflow.delete({ where: { id } });
  }

  /** The run and a pending row per step, together. */
  async createRun({ stepIds, inputs, ...run }: NewRun): Promise<void> {
    await withBusyRetry(() =>
      this.prisma.workflowRun.create({
        data: {
          ...run,
          inputs: JSON.stringify(inputs),
          status: 'running',
          steps: { createMany: { data: stepIds.map((stepId) => ({ stepId, status: 'pending' })) } },
        },
        select: { id: true },
      }),
    );
  }

  async updateRun(
    id: string,
    data: {
      status?: RunStatus;
      outputs?: Record<string, unknown> | null;
      error?: string | null;
      pid?: number | null;
      finishedAt?: Date | null;
    },
  ): Promise<void> {
    const { outputs, ...rest } = data;
    await withBusyRetry(() =>
      this.prisma.workflowRun.updateMany({
        where: { id },
        data: {
          ...rest,
          ...(outputs !== undefined
            ? { outputs: outputs === null ? null : JSON.stringify(outputs) }
            : {}),
        },
      }),
    );
  }

  async updateStep(
    runId: string,
    stepId: string,
    data: Partial<
      Pick<
        StepRunRecord,
        'status' | 'attempt' | 'output' | 'executionId' | 'error' | 'startedAt' | 'finishedAt'
      >
    >,
  ): Promise<void> {
    await withBusyRetry(() => this.prisma.stepRun.updateMany({ where: { runId, stepId }, data }));
  }

  async runsByPrefix(prefix: string, limit = 6): Promise<RunRecord[]> {
    const rows = await this.prisma.workflowRun.findMany({
      where: { id: { startsWith: prefix } },
      include: withSteps,
      take: limit,
    });
    return rows.map(toRun);
  }

  async listRuns(filter: {
    projectId?: number;
    workflowName?: string;
    limit: number;
  }): Promise<RunRecord[]> {
    const rows = await this.prisma.workflowRun.findMany({
      where: {
        ...(filter.projectId !== undefined ? { projectId: filter.projectId } : {}),
        ...(filter.workflowName ? { workflowName: filter.workflowName } : {}),
      },
      include: withSteps,
      orderBy: { startedAt: 'desc' },
      take: filter.limit,
    });
    return rows.map(toRun);
  }
}
