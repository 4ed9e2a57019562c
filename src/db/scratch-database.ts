// An empty database of either engine to apply migrations to and compare with the schema
// (`npm run db:migration`, and the test that keeps the engines' migrations from drifting).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../core/database-location.js';
import { type EngineTarget, executeScript } from './schema-engine.js';

/** Runs `use` on an empty scratch database of `engine`, removed afterwards. */
export async function withScratchDatabase<T>(
  engine: Engine,
  use: (target: EngineTarget) => Promise<T>,
  server = process.env.PROMPT_RUNNER_TEST_PG,
): Promise<T> {
  if (engine === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'prompt-runner-migration-'));
    try {
      return await use({ engine, url: `file:${join(dir, 'scratch.db')}` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (!server) throw new Error('PROMPT_RUNNER_TEST_PG must name a PostgreSQL server');
  const name = `prompt_runner_scratch_${process.pid}_${Date.now()}`;
  const admin = { engine, url: server } as const;
  await executeScript(admin, `CREATE DATABASE "${name}"`);
  try {
    const url = new URL(server);
    url.pathname = `/${name}`;
    return await use({ engine, url: url.href });
  } finally {
    await executeScript(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}
