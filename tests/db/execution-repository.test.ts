// The batch insert is SQL of its engine (execution-repository.sqlite.ts): every field written
// must come back through Prisma under its own name.
import { describe, expect, it } from 'vitest';
import {
  type ExecutionData,
  ExecutionRepository,
} from '../../src/db/repositories/execution-repository.js';
import { testDatabase } from '../support/db.js';

describe('ExecutionRepository.createMany', () => {
  it('writes every field to its column, and the rows are searchable', async () => {
    const db = await testDatabase();
    const project = await db.prisma.project.create({ data: { name: 'app' } });
    const prompt = await db.prisma.prompt.create({
      data: { name: 'p', projectId: project.id, versions: { create: { version: 1, body: 'b' } } },
      include: { versions: true },
    });
    const run = await db.prisma.workflowRun.create({
      data: { id: 'run-1', workflowName: 'w', definition: 'd', status: 'running' },
    });
    const session = await db.prisma.orchestrationSession.create({
      data: { sessionId: 'session-1', projectId: project.id, featureRequest: 'f' },
    });
    const full: ExecutionData = {
      id: 'e-full',
      projectId: project.id,
      promptVersionId: prompt.versions[0]?.id ?? null,
      workflowRunId: run.id,
      stepId: 'step',
      sessionId: session.sessionId,
      phase: 'analyze',
      model: 'model-x',
      baseUrlHost: 'api.example.com',
      parameters: { temperature: 0.2 },
      system: 'be brief',
      messages: [{ role: 'user', content: 'tell me about zeppelins' }],
      variables: { topic: 'zeppelins' },
      response: 'they float',
      finishReason: 'stop',
      status: 'error',
      error: 'cut short',
      attempts: 3,
      inputTokens: 11,
      outputTokens: 22,
      costUsd: 0.0123,
      latencyMs: 456,
      cacheHit: true,
      createdAt: new Date('2026-05-06T07:08:09.010Z'),
    };
    const bare: ExecutionData = {
      ...full,
      id: 'e-bare',
      projectId: null,
      promptVersionId: null,
      workflowRunId: undefined,
      stepId: undefined,
      sessionId: undefined,
      phase: undefined,
      system: null,
      response: null,
      finishReason: null,
      status: 'success',
      error: null,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      latencyMs: null,
      cacheHit: false,
      createdAt: undefined,
    };
    const repository = new ExecutionRepository(db.prisma);
    const before = Date.now();
    await repository.createMany([full, bare]);

    const rows = await db.prisma.execution.findMany({ orderBy: { id: 'asc' } });
    expect(rows).toEqual([
      {
        ...bare,
        workflowRunId: null,
        stepId: null,
        sessionId: null,
        phase: null,
        parameters: '{"temperature":0.2}',
        messages: '[{"role":"user","content":"tell me about zeppelins"}]',
        variables: '{"topic":"zeppelins"}',
        createdAt: expect.any(Date),
      },
      {
        ...full,
        parameters: '{"temperature":0.2}',
        messages: '[{"role":"user","content":"tell me about zeppelins"}]',
        variables: '{"topic":"zeppelins"}',
      },
    ]);
    expect(rows[0]?.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect((await repository.search('zeppelins', 10)).map((hit) => hit.id).sort()).toEqual([
      'e-bare',
      'e-full',
    ]);
  });
});
