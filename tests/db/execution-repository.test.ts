// The batch insert is SQL of its engine (execution-repository.sql.ts): every field written
// must come back through Prisma under its own name.
import { describe, expect, it } from 'vitest';
import {
  type ExecutionData,
  ExecutionRepository,
} from '../../src/db/repositories/execution-repository.js';
import { testDatabase } from '../support/db.js';
import { TEST_ENGINE } from '../support/postgres.js';

/** A call whose prompt and answer are the given words. */
function call(id: string, prompt: string, response: string): ExecutionData {
  return {
    id,
    projectId: null,
    promptVersionId: null,
    model: 'm',
    baseUrlHost: null,
    parameters: {},
    system: null,
    messages: [{ role: 'user', content: prompt }],
    variables: {},
    response,
    finishReason: 'stop',
    status: 'success',
    error: null,
    attempts: 1,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    latencyMs: null,
    cacheHit: false,
  };
}

describe(`ExecutionRepository.search (${TEST_ENGINE})`, () => {
  it('reads the same query language on both engines, best match first', async () => {
    const db = await testDatabase();
    const repository = new ExecutionRepository(db.prisma, db.engine);
    await repository.createMany([
      call('a', 'summarise the zeppelin manual', 'a zeppelin is an airship, zeppelin zeppelin'),
      call('b', 'summarise the blimp manual', 'a blimp has no frame'),
      call('c', 'translate the zeppelin story', 'Der Zeppelin fliegt'),
      call('d', 'write a haiku about rivers', 'water finds its way'),
    ]);
    const ids = async (query: string) => (await repository.search(query, 10)).map((h) => h.id);

    const hits = await repository.search('zeppelin', 10);
    expect(hits.map((h) => h.id)).toEqual(['a', 'c']);
    // Higher is better on both engines.
    expect(hits[0]?.rank).toBeGreaterThan(hits[1]?.rank ?? Number.POSITIVE_INFINITY);
    expect(hits[0]?.responseSnippet).toContain('\u0002zeppelin\u0003');
    expect(hits[0]?.promptSnippet).toContain('summarise');
    expect(typeof hits[0]?.createdAt).toBe('string');

    expect((await ids('summarise manual')).sort()).toEqual(['a', 'b']);
    expect((await ids('summarise AND blimp')).sort()).toEqual(['b']);
    expect((await ids('blimp OR rivers')).sort()).toEqual(['b', 'd']);
    expect((await ids('"the zeppelin story"')).sort()).toEqual(['c']);
    expect((await ids('summ*')).sort()).toEqual(['a', 'b']);
    expect((await ids('summarise NOT blimp')).sort()).toEqual(['a']);
    expect(await ids('nothinglikethis')).toEqual([]);
  });
});

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
    const optimization = await db.prisma.optimization.create({
      data: {
        id: 'opt-1',
        prompt: 'p',
        startVersion: 1,
        evalFile: 'e.yaml',
        definition: 'd',
        status: 'running',
      },
    });
    const full: ExecutionData = {
      id: 'e-full',
      projectId: project.id,
      promptVersionId: prompt.versions[0]?.id ?? null,
      workflowRunId: run.id,
      stepId: 'step',
      sessionId: session.sessionId,
      phase: 'analyze',
      optimizationId: optimization.id,
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
      createdBy: 'ann',
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
      optimizationId: undefined,
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
      createdBy: undefined,
      createdAt: undefined,
    };
    const repository = new ExecutionRepository(db.prisma, db.engine);
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
        optimizationId: null,
        createdBy: null,
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
