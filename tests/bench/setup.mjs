// Shared set-up for benchmarks: a fresh home, the built CLI, and helpers to drive it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './harness.mjs';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const bin = join(root, 'dist', 'bin.js');
export const runs = Number(process.env.BENCH_RUNS ?? 25);

/** NO_CODE_CACHE: the environment of a run without the CLI's code cache (a first run). */
export const NO_CODE_CACHE = { PROMPT_RUNNER_CODE_CACHE: 'off' };

export function benchHome(extraEnv = {}) {
  const home = mkdtempSync(join(tmpdir(), 'prompt-runner-bench-'));
  // The CLI's code cache starts empty in each benchmark and leaves the user's alone; the
  // warm-up runs make it.
  const env = {
    ...process.env,
    PROMPT_RUNNER_HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    NO_COLOR: '1',
    ...extraEnv,
  };
  const cli = (...args) => {
    const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`prompt-runner ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  return {
    home,
    env,
    cli,
    db: join(home, 'prompt-runner.db'),
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * A fresh home with a project `bench` (the default one) and the local model server
 * (`serve.mjs`, answering at once or after `--delay` ms) at `url`; `remove` stops and deletes
 * both.
 */
export async function benchProject(serverArgs = []) {
  const server = await startServer(join(root, 'tests', 'bench', 'serve.mjs'), serverArgs);
  const home = benchHome({ OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'bench' });
  home.cli('project', 'create', 'bench');
  return {
    ...home,
    url: server.url,
    remove: () => {
      server.stop();
      home.remove();
    },
  };
}

/**
 * A new, empty database on the PostgreSQL server PROMPT_RUNNER_TEST_PG names (dropped by
 * `remove`), or undefined without one: the benchmarks then measure SQLite alone.
 */
export function postgresStore() {
  const server = process.env.PROMPT_RUNNER_TEST_PG;
  if (!server) {
    console.log('\n(PostgreSQL skipped: set PROMPT_RUNNER_TEST_PG, see scripts/test-postgres.sh)');
    return undefined;
  }
  const name = `bench_${process.pid}_${Date.now()}`;
  const psql = (sql) => execFileSync('psql', [server, '-qAt', '-c', sql]);
  psql(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.href, remove: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
