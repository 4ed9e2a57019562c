import { describe, expect, it } from 'vitest';
import { CacheRepository } from '../../src/db/repositories/cache-repository.js';
import {
  type ExecutionData,
  ExecutionRepository,
} from '../../src/db/repositories/execution-repository.js';
import { RecordWriter } from '../../src/services/record-writer.js';
import { testDatabase } from '../support/db.js';

function row(id: string): ExecutionData {
  return {
    id,
    projectId: null,
    promptVersionId: null,
    model: 'm',
    baseUrlHost: null,
    parameters: {},
    system: null,
    messages: [{ role: 'user', content: 'hi' }],
    variables: {},
    response: 'ok',
    finishReason: 'stop',
    status: 'success',
    error: null,
    attempts: 1,
    inputTokens: 1,
    outputTokens: 1,
    costUsd: null,
    latencyMs: 1,
    cacheHit: false,
  };
}

describe('RecordWriter', () => {
  it('still writes the groups after a failed group, and the final flush reports the failure', async () => {
    const db = await testDatabase();
    const executions = new ExecutionRepository(db.prisma, db.engine);
    const writer = new RecordWriter({ executions, cache: new CacheRepository(db.prisma) }, true);
    // A row already there makes the first group's insert fail on its primary key.
    await executions.createMany([row('taken')]);
    const ignore = () => undefined;
    await writer.add({ execution: row('taken') }).catch(ignore);
    for (let i = 1; i < 100; i++) await writer.add({ execution: row(`first-${i}`) }).catch(ignore);
    for (let i = 0; i < 5; i++) await writer.add({ execution: row(`later-${i}`) }).catch(ignore);

    await expect(writer.flush()).rejects.toThrow(/could not be recorded/);
    const ids = (await executions.list({ limit: 1000 })).map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['later-0', 'later-1', 'later-4']));
    // Reported once: a flush after the report succeeds.
    await writer.add({ execution: row('after') });
    await expect(writer.flush()).resolves.toBeUndefined();
  });
});
