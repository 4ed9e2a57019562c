import { describe, expect, it } from 'vitest';
import { CacheRepository } from '../../src/db/repositories/cache-repository.js';
import {
  type ExecutionData,
  ExecutionRepository,
} from '../../src/db/repositories/execution-repository.js';
import { ExecutionService, parseDuration } from '../../src/services/execution-service.js';
import { testDatabase } from '../support/db.js';

function execution(id: string, overrides: Partial<ExecutionData> = {}): ExecutionData {
  return {
    id,
    projectId: null,
    promptVersionId: null,
    model: 'm',
    baseUrlHost: 'localhost',
    parameters: {},
    system: null,
    messages: [{ role: 'user', content: `message of ${id}` }],
    variables: {},
    response: 'fine',
    finishReason: 'stop',
    status: 'success',
    error: null,
    attempts: 1,
    inputTokens: 1,
    outputTokens: 1,
    costUsd: null,
    latencyMs: 5,
    cacheHit: false,
    ...overrides,
  };
}

async function setup() {
  const db = await testDatabase();
  const repository = new ExecutionRepository(db.prisma, db.engine);
  const service = new ExecutionService({
    executions: repository,
    cache: new CacheRepository(db.prisma),
  });
  return { db, repository, service };
}

describe('ExecutionService', () => {
  it('finds an execution by a unique prefix and lists the candidates of an ambiguous one', async () => {
    const { repository, service } = await setup();
    await repository.create(execution('abcd1111-0000-4000-8000-000000000000'));
    await repository.create(execution('abcd2222-0000-4000-8000-000000000000'));
    expect((await service.show('abcd1')).id).toBe('abcd1111-0000-4000-8000-000000000000');
    expect((await service.show('ABCD2')).id).toBe('abcd2222-0000-4000-8000-000000000000');
    await expect(service.show('abcd')).rejects.toThrow(
      'Execution id abcd is ambiguous: abcd1111-000, abcd2222-000…',
    );
    await expect(service.show('abc')).rejects.toThrow('at least 4 characters');
    await expect(service.show('ffff')).rejects.toThrow('No execution with id ffff');
  });

  it('lists newest first with every filter, the same records a full export reads', async () => {
    const { db, repository } = await setup();
    const project = await db.prisma.project.create({ data: { name: 'proj' } });
    const prompt = await db.prisma.prompt.create({
      data: { name: 'ask', projectId: project.id, versions: { create: { version: 2, body: 'b' } } },
      include: { versions: true },
    });
    const versionId = prompt.versions[0]?.id ?? null;
    const day = (d: number) => new Date(Date.UTC(2026, 0, d));
    await repository.createMany([
      execution('e1', { createdAt: day(1), projectId: project.id, promptVersionId: versionId }),
      execution('e2', { createdAt: day(2), status: 'error', error: 'boom', model: 'other' }),
      execution('e3', { createdAt: day(3), cacheHit: true, costUsd: 0.25, parameters: { t: 1 } }),
    ]);
    const exported = [];
    for await (const record of repository.all()) exported.push(record);
    expect(await repository.list()).toEqual(exported.reverse());
    const [first] = await repository.list({ promptName: 'ask' });
    expect(first).toMatchObject({
      id: 'e1',
      promptName: 'ask',
      promptVersion: 2,
      projectName: 'proj',
    });
    expect(first?.createdAt).toEqual(day(1));
    const ids = async (filter: Parameters<typeof repository.list>[0]) =>
      (await repository.list(filter)).map((r) => r.id);
    expect(await ids({ status: 'error' })).toEqual(['e2']);
    expect(await ids({ model: 'm' })).toEqual(['e3', 'e1']);
    expect(await ids({ since: day(2) })).toEqual(['e3', 'e2']);
    expect(await ids({ projectId: project.id })).toEqual(['e1']);
    expect(await ids({ limit: 1 })).toEqual(['e3']);
    expect(await repository.findByPrefix('e')).toHaveLength(3);
    expect((await repository.findByPrefix('e3'))[0]).toMatchObject({
      cacheHit: true,
      costUsd: 0.25,
    });
  });

  it('reads durations and dates for --since and --older-than', () => {
    expect(parseDuration('30d', '--older-than')).toBe(30 * 86_400_000);
    expect(parseDuration('12h', '--older-than')).toBe(12 * 3_600_000);
    expect(parseDuration('2w', '--older-than')).toBe(14 * 86_400_000);
    for (const bad of ['', 'soon', '30', '-1d', 'd30']) {
      expect(() => parseDuration(bad, '--older-than')).toThrow('is not a duration');
    }
    const now = new Date('2026-03-10T00:00:00Z');
    const service = new ExecutionService({
      executions: {} as never,
      cache: {} as never,
      now: () => now,
    });
    expect(service.since('1d').toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(service.since('2026-01-31').toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  it('pages through every execution for an export', async () => {
    const { repository } = await setup();
    for (let i = 0; i < 25; i++) {
      await repository.create(
        execution(`e${String(i).padStart(3, '0')}-0000-4000-8000-000000000000`),
      );
    }
    const ids: string[] = [];
    for await (const row of repository.all(7)) ids.push(row.id);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
  });
});
