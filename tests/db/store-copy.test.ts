// db copy: every row of every table reaches the other store with its ids, there and back,
// between SQLite and the engine the tests run on (PostgreSQL in its project).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLocation } from '../../src/core/database-location.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { COPY_TABLES, copyStore, countRows } from '../../src/db/store-copy.js';
import { testDatabase } from '../support/db.js';
import { tempDir } from '../support/temp.js';

/** One row or more in every table, linked as the CLI links them. */
async function fill(db: Database): Promise<void> {
  const p = db.prisma;
  const project = await p.project.create({ data: { name: 'app', rootPath: '/src/app' } });
  const prompt = await p.prompt.create({
    data: {
      name: 'greet',
      projectId: project.id,
      versions: {
        create: [
          { version: 1, body: 'Hi {{name}}' },
          { version: 2, body: 'Hello' },
        ],
      },
      labels: { create: { name: 'production', version: 2 } },
      labelHistory: { create: { label: 'production', version: 2 } },
    },
    include: { versions: true },
  });
  await p.prompt.create({
    data: { name: 'shared', versions: { create: { version: 1, body: 'g' } } },
  });
  const workflow = await p.workflow.create({
    data: { name: 'w', projectId: project.id, definition: 'name: w' },
  });
  await p.workflowRun.create({
    data: {
      id: 'run-1',
      workflowId: workflow.id,
      projectId: project.id,
      workflowName: 'w',
      definition: 'name: w',
      status: 'succeeded',
      steps: { create: { stepId: 's', status: 'succeeded', output: 'o' } },
    },
  });
  await p.orchestrationSession.create({
    data: { sessionId: 'abc123', projectId: project.id, featureRequest: 'add search' },
  });
  await p.optimization.create({
    data: {
      id: 'opt-1',
      projectId: project.id,
      promptId: prompt.id,
      prompt: 'greet',
      startVersion: 1,
      savedVersion: 2,
      evalFile: 'e.yaml',
      definition: 'cases: []',
      status: 'saved',
    },
  });
  for (let i = 0; i < 1201; i++) {
    await p.execution.create({
      data: {
        id: `e-${String(i).padStart(5, '0')}`,
        projectId: project.id,
        promptVersionId: prompt.versions[0]?.id,
        sessionId: i === 0 ? 'abc123' : null,
        optimizationId: i === 1 ? 'opt-1' : null,
        model: 'm',
        status: 'success',
        messages: JSON.stringify([{ role: 'user', content: `zeppelin number ${i}` }]),
        response: 'it floats',
        createdBy: 'ann',
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      },
    });
  }
  await p.cacheEntry.create({ data: { key: 'k', model: 'm', response: 'r', hitCount: 3 } });
  await p.evalRun.create({
    data: {
      id: 'eval-1',
      optimizationId: 'opt-1',
      name: 'e',
      definition: 'cases: []',
      status: 'passed',
      results: {
        create: { caseId: 'c', variant: 0, executionId: 'e-00000', pass: true, score: 1 },
      },
    },
  });
}

/** Every table's rows, in key order: what two stores must agree on. */
async function dump(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const { table, key } of COPY_TABLES) {
    const delegate = (
      db.prisma as unknown as Record<string, { findMany(a: object): Promise<unknown[]> }>
    )[table];
    out[table] = (await delegate?.findMany({ orderBy: { [key]: 'asc' } })) ?? [];
  }
  return out;
}

describe('copyStore', () => {
  it('copies every row into an empty store of the other engine and back, ids kept', async () => {
    const source = await testDatabase();
    await fill(source);
    const other = await openDatabase(join(tempDir(), 'copy.db'));
    const back = await testDatabase();
    try {
      const seen: number[] = [];
      const result = await copyStore(source, other, (copied) => {
        seen.push(copied);
      });
      expect(result.rows).toBe(
        Object.values(await countRows(source.prisma)).reduce((a, b) => a + b),
      );
      expect(result.tables.execution).toBe(1201);
      expect(seen.at(-1)).toBe(result.rows);
      expect(seen.length).toBeGreaterThan(3);
      await copyStore(other, back);
      const [a, b, c] = [await dump(source), await dump(other), await dump(back)];
      expect(b).toEqual(a);
      expect(c).toEqual(a);

      // The copies go on: new rows take the next ids, and search finds the copied calls.
      const next = await back.prisma.project.create({ data: { name: 'next' } });
      expect(next.id).toBe(2);
      const { ExecutionRepository } = await import(
        '../../src/db/repositories/execution-repository.js'
      );
      const hits = await new ExecutionRepository(back.prisma, back.engine).search('zeppelin', 5);
      expect(hits).toHaveLength(5);
    } finally {
      await other.close();
    }
  }, 120_000);

  it('leaves the target empty when a copy stops midway, and a new copy then succeeds', async () => {
    const source = await testDatabase();
    await fill(source);
    const target = await openDatabase(join(tempDir(), 'stopped.db'));
    try {
      await expect(
        copyStore(source, target, (copied) => {
          if (copied > 600) throw new Error('stopped by the user');
        }),
      ).rejects.toThrow('stopped by the user');
      expect(Object.values(await countRows(target.prisma)).every((n) => n === 0)).toBe(true);
      expect((await copyStore(source, target)).tables.execution).toBe(1201);
    } finally {
      await target.close();
    }
  }, 120_000);

  it('refuses a store that holds any row, and copies nothing', async () => {
    const source = await testDatabase();
    await fill(source);
    const target = await openDatabase(parseLocation(join(tempDir(), 'busy.db'), '/'));
    try {
      await target.prisma.cacheEntry.create({ data: { key: 'x', model: 'm', response: 'r' } });
      await expect(copyStore(source, target)).rejects.toThrow(
        /busy\.db is not empty \(1 row, in cacheEntry\): nothing was copied/,
      );
      expect((await countRows(target.prisma)).project).toBe(0);
    } finally {
      await target.close();
    }
  }, 60_000);
});
