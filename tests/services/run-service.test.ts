import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/core/config.js';
import { CancelledError, ModelCallError } from '../../src/core/model-client/errors.js';
import { CacheRepository } from '../../src/db/repositories/cache-repository.js';
import { ExecutionRepository } from '../../src/db/repositories/execution-repository.js';
import { RunService } from '../../src/services/run-service.js';
import type { BatchResult } from '../../src/services/run-types.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { testServices } from '../support/services.js';

async function setup(reply?: Reply, config: Config = {}) {
  const server = await modelServer(reply);
  const { db, projects, prompts, runs } = await testServices(
    { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-secret-test-key' },
    { maxRetries: 2, ...config },
  );
  await projects.create({ name: 'app' });
  const scope = await prompts.scope('app');
  await prompts.create(scope, 'greet', { body: 'Hello {{name}}', model: 'gpt-4o-mini' });
  const prepare = (name: string, flags = {}) => runs.prepare(scope, 'greet', { name }, { flags });
  return { server, db, runs, prepare, scope, prompts };
}

describe('RunService', () => {
  it('calls the model and records the call with tokens, cost and latency', async () => {
    const { runs, prepare, db } = await setup();
    const result = await runs.execute(await prepare('Ada'));
    expect(result).toMatchObject({
      output: 'Echo: Hello Ada',
      model: 'gpt-4o-mini',
      status: 'success',
      inputTokens: 2,
      outputTokens: 3,
      cached: false,
    });
    expect(result.costUsd).toBeCloseTo((2 * 0.15 + 3 * 0.6) / 1e6, 12);
    const row = await db.prisma.execution.findUniqueOrThrow({ where: { id: result.executionId } });
    expect(row).toMatchObject({
      status: 'success',
      response: 'Echo: Hello Ada',
      attempts: 1,
      cacheHit: false,
      finishReason: 'stop',
      baseUrlHost: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    expect(JSON.parse(row.messages)).toEqual([{ role: 'user', content: 'Hello Ada' }]);
  });

  it('answers a repeated call from the cache, at no cost, and records the hit', async () => {
    const { runs, prepare, server, db } = await setup();
    await runs.execute(await prepare('Ada'));
    const second = await runs.execute(await prepare('Ada'));
    expect(second).toMatchObject({ cached: true, costUsd: 0, output: 'Echo: Hello Ada' });
    expect(server.requests).toHaveLength(1);
    const fresh = await runs.execute(await prepare('Ada', { noCache: true }));
    expect(fresh.cached).toBe(false);
    expect(server.requests).toHaveLength(2);
    expect(await db.prisma.execution.count({ where: { cacheHit: true } })).toBe(1);
    expect(await db.prisma.cacheEntry.findFirst()).toMatchObject({ hitCount: 1 });
  });

  it('records a failed call with its error and attempts, and caches nothing', async () => {
    const { runs, prepare, db } = await setup(() => ({ status: 500, message: 'overloaded' }));
    const error = await runs.execute(await prepare('Ada')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as ModelCallError).hint).toMatch(/execution show [0-9a-f]{8}/);
    const row = await db.prisma.execution.findFirstOrThrow();
    expect(row).toMatchObject({ status: 'error', attempts: 3, response: null });
    expect(row.error).toMatch(/answered 500: overloaded/);
    expect(await db.prisma.cacheEntry.count()).toBe(0);
  });

  it('records a cancelled stream with the text received so far', async () => {
    const { runs, prepare, db } = await setup(() => ({
      content: 'one two three',
      chunkDelayMs: 30,
    }));
    const controller = new AbortController();
    const error = await runs
      .execute(await prepare('Ada'), {
        stream: true,
        signal: controller.signal,
        onToken: () => controller.abort(),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    const row = await db.prisma.execution.findFirstOrThrow();
    expect(row).toMatchObject({
      status: 'cancelled',
      response: 'one ',
      error: 'cancelled by the user',
    });
  });

  it('refuses to call a remote endpoint without a key, recording nothing', async () => {
    const { db, prompts, scope } = await setup();
    const runs = new RunService({
      prompts,
      executions: new ExecutionRepository(db.prisma, db.engine),
      cache: new CacheRepository(db.prisma),
      config: {},
      env: {},
    });
    const call = await runs.prepare(scope, 'greet', { name: 'x' });
    await expect(runs.execute(call)).rejects.toThrow('set OPENAI_API_KEY');
    expect(await db.prisma.execution.count()).toBe(0);
  });

  it('never stores the API key', async () => {
    const { runs, prepare, db } = await setup();
    await runs.execute(await prepare('Ada'));
    await runs.execute(await prepare('Bo', { noCache: true })).catch(() => undefined);
    const dump = JSON.stringify([
      await db.prisma.execution.findMany(),
      await db.prisma.cacheEntry.findMany(),
    ]);
    expect(dump).not.toContain('sk-secret-test-key');
  });

  it('runs a batch within the concurrency limit, in input order, past failures', async () => {
    let active = 0;
    let peak = 0;
    const { runs, scope, server } = await setup(async (body) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
      active--;
      const text = body.messages[0]?.content ?? '';
      return text.includes('fail') ? { status: 400, message: 'bad case' } : { content: text };
    });
    const cases = [
      ...Array.from({ length: 10 }, (_, i) => ({ line: i + 1, variables: { name: `n${i}` } })),
      { line: 11, variables: { name: 'fail' } },
      { line: 12, error: 'line 12 is not valid JSON' },
      { line: 13, variables: {} },
    ];
    const seen: BatchResult[] = [];
    const results = await runs.runBatch(cases, await runs.preparer(scope, 'greet'), {
      concurrency: 3,
      onResult: (r) => seen.push(r),
    });
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(seen.map((r) => r.line)).toEqual(cases.map((c) => c.line));
    expect(results.slice(0, 10).every((r) => r.status === 'success')).toBe(true);
    expect(results[10]).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/400: bad case/) },
    });
    expect(results[10]?.executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[11]).toMatchObject({
      status: 'error',
      executionId: null,
      error: { message: 'line 12 is not valid JSON', code: 'VALIDATION', exitCode: 2 },
    });
    expect(results[12]).toMatchObject({
      status: 'error',
      error: { message: 'Missing variable: "name"', code: 'MISSING_VARIABLES' },
    });
    expect(server.requests).toHaveLength(11);
  });
});
