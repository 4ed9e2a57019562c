// Batch overhead: 1,000 calls at concurrency 8 against a local server that answers at once,
// through `prompt run --input-file` and through a bare openai script with no database.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, timeOnce } from './harness.mjs';
import { benchProject, bin, root } from './setup.mjs';

const CALLS = 1000;
const CONCURRENCY = 8;
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 3);

export async function benchBatch() {
  const { env, cli, home, remove, url } = await benchProject();
  try {
    cli('prompt', 'create', 'summarise', '--body', 'Summarise case {{case}}');
    const cases = join(home, 'cases.jsonl');
    writeFileSync(
      cases,
      Array.from({ length: CALLS }, (_, i) => JSON.stringify({ case: i })).join('\n'),
    );
    const bare = join(root, 'tests', 'bench', 'bare-batch.mjs');
    const samples = { bare: [], cli: [] };
    for (let round = 0; round < ROUNDS; round++) {
      samples.bare.push(timeOnce('node', [bare, url, String(CALLS), String(CONCURRENCY)], env));
      samples.cli.push(
        timeOnce(
          'node',
          [
            bin,
            'prompt',
            'run',
            'summarise',
            '--input-file',
            cases,
            '--concurrency',
            String(CONCURRENCY),
            '--no-cache',
          ],
          env,
        ),
      );
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
    return { batch: ratio };
  } finally {
    remove();
  }
}
