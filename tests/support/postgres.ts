// The store engine the tests run against: SQLite files by default; a real PostgreSQL server
// in the `postgresql` project of vitest.config.ts, which runs when PROMPT_RUNNER_TEST_PG names
// a server (scripts/test-postgres.sh starts a throwaway one). Each test gets a fresh database.
import { execFileSync } from 'node:child_process';
import { afterAll } from 'vitest';

export type TestEngine = 'sqlite' | 'postgresql';

export const TEST_ENGINE: TestEngine =
  process.env.PROMPT_RUNNER_TEST_ENGINE === 'postgresql' ? 'postgresql' : 'sqlite';

const created: string[] = [];
let counter = 0;

function server(): string {
  const url = process.env.PROMPT_RUNNER_TEST_PG;
  if (!url) throw new Error('PROMPT_RUNNER_TEST_PG must name a PostgreSQL server');
  return url;
}

function psql(sql: string): void {
  execFileSync('psql', [server(), '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** The URL of a new, empty database on the test server (dropped after the file's tests). */
export function freshPostgresUrl(): string {
  const name = `test_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  psql(`CREATE DATABASE "${name}"`);
  created.push(name);
  const url = new URL(server());
  url.pathname = `/${name}`;
  return url.href;
}

afterAll(() => {
  for (const name of created.splice(0)) psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});
