// Batch overhead: 1,000 calls at concurrency 8 against a local server that answers at once,
// through `prompt run --input-file` and through a bare openai script with no database; the
// CLI on SQLite and, when PROMPT_RUNNER_TEST_PG names a server, on PostgreSQL, in one run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, timeOnce } from './harness.mjs';
import { benchProject, bin, postgresStore, root } from './setup.mjs';

const CALLS = 1000;
const CONCURRENCY = 8;
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 3);

export async function benchBatch() {
  const { env, cli, home, remove, url } = await benchProject();
  const postgres = postgresStore();
  const pgEnv = postgres && { ...env, PROMPT_RUNNER_DB: postgres.url };
  try {
    cli('prompt', 'create', 'summarise', '--body', 'Summarise case {{case}}');
    // The same project and prompt on the server.
    if (postgres) cli('db', 'copy', '--to', postgres.url);
    const cases = join(home, 'cases.jsonl');
    writeFileSync(
      cases,
      Array.from({ length: CALLS }, (_, i) => JSON.stringify({ case: i })).join('\n'),
    );
    const bare = join(root, 'tests', 'bench', 'bare-batch.mjs');
    const samples = { bare: [], cli: [], pg: [] };
    const run = [
      bin,
      'prompt',
      'run',
      'summarise',
      '--input-file',
      cases,
      '--concurrency',
      String(CONCURRENCY),
      '--no-cache',
    ];
    for (let round = 0; round < ROUNDS; round++) {
      samples.bare.push(timeOnce('node', [bare, url, String(CALLS), String(CONCURRENCY)], env));
      samples.cli.push(timeOnce('node', run, env));
      if (pgEnv) samples.pg.push(timeOnce('node', run, pgEnv));
    }
    const bareMs = median(samples.bare);
    const cliMs = median(samples.cli);
    const ratio = bareMs / cliMs;
    console.log(
      `\nBatch: ${CALLS} calls at concurrency ${CONCURRENCY}, local server answering at once`,
    );
    console.log(
      `  bare openai script, no database            ${bareMs.toFixed(0)} ms (${((CALLS / bareMs) * 1000).toFixed(0)} calls/s)`,
    );
    console.log(
      `  prompt-runner prompt run --input-file      ${cliMs.toFixed(0)} ms (${((CALLS / cliMs) * 1000).toFixed(0)} calls/s)`,
    );
    console.log(
      `  throughput ratio ${ratio.toFixed(2)}x (target >= 0.8x): ${ratio >= 0.8 ? 'within target' : 'UNDER TARGET'}`,
    );
    const results = { batch: ratio };
    if (pgEnv) {
      const pgMs = median(samples.pg);
      results['batch (PostgreSQL)'] = bareMs / pgMs;
      console.log(
        `  prompt-runner on PostgreSQL                ${pgMs.toFixed(0)} ms (${((CALLS / pgMs) * 1000).toFixed(0)} calls/s)`,
      );
      console.log(
        `  PostgreSQL throughput ratio ${(bareMs / pgMs).toFixed(2)}x, against SQLite ${(cliMs / pgMs).toFixed(2)}x`,
      );
    }
    return results;
  } finally {
    remove();
    postgres?.remove();
  }
}
