// What a store holds, read below the CLI for assertions: the SQLite file of a test home, or
// the PostgreSQL database its PROMPT_RUNNER_DB names (through psql and pg_dump).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

function postgresUrl(env: NodeJS.ProcessEnv): string | undefined {
  const db = env.PROMPT_RUNNER_DB;
  return db && /^postgres(ql)?:\/\//.test(db) ? db : undefined;
}

function sqliteFile(env: NodeJS.ProcessEnv): string {
  return env.PROMPT_RUNNER_DB ?? join(env.PROMPT_RUNNER_HOME ?? '', 'prompt-runner.db');
}

/** Every execution of the store, oldest first, with its columns as stored. */
export function executionRows(env: NodeJS.ProcessEnv): Record<string, unknown>[] {
  const url = postgresUrl(env);
  if (url) {
    const sql = `SELECT COALESCE(json_agg(t ORDER BY "createdAt"), '[]') FROM (SELECT * FROM "Execution") t`;
    return JSON.parse(execFileSync('psql', [url, '-qAt', '-c', sql], { encoding: 'utf8' }));
  }
  const db = new BetterSqlite3(sqliteFile(env), { readonly: true });
  try {
    return db.prepare('SELECT * FROM Execution ORDER BY createdAt').all() as Record<
      string,
      unknown
    >[];
  } finally {
    db.close();
  }
}

/** Everything the store holds, as text: to look for what must never be in it. */
export function storeText(env: NodeJS.ProcessEnv): string {
  const url = postgresUrl(env);
  if (url) return execFileSync('pg_dump', ['--data-only', url], { encoding: 'latin1' });
  return readFileSync(sqliteFile(env)).toString('latin1');
}
