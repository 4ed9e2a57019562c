// Evals: 1,000 cases × 2 prompts with three deterministic assertions each, against a local
// server answering at once, side by side with the same 2,000 calls as one
// `prompt run --input-file` batch; then the peak memory of an eval of 1,000 and of 10,000
// cases (it should not grow with them).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, timeOnce } from './harness.mjs';
import { benchProject, bin } from './setup.mjs';

const CASES = 1000;
const CONCURRENCY = 8;
const ROUNDS = Number(process.env.BENCH_EVAL_ROUNDS ?? 3);
const HEAP_CAP_MB = 96;

function evalFile(dataset) {
  return `name: bench
prompts: [alpha, beta]
dataset: ${dataset}
defaults:
  assert:
    - { type: contains, value: ok }
    - { type: regex, value: "^ok \\\\d+$" }
    - { type: length, max: 100 }
`;
}

function cases(count) {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ case: i })).join('\n');
}

/** Peak resident memory of a command, in MB (GNU time's report of the finished child). */
function peakMb(args, env, cwd, nodeFlags = []) {
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...nodeFlags, ...args], {
    env,
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-500)}`);
  }
  return Number(result.stderr.trim().split('\n').at(-1)) / 1024;
}

export async function benchEval() {
  const { env, cli, home, remove } = await benchProject();
  try {
    cli('prompt', 'create', 'alpha', '--body', 'Alpha case {{case}}');
    cli('prompt', 'create', 'beta', '--body', 'Beta case {{case}}');
    writeFileSync(join(home, 'cases.jsonl'), cases(CASES));
    writeFileSync(join(home, 'batch.jsonl'), cases(CASES * 2));
    writeFileSync(join(home, 'eval.yaml'), evalFile('cases.jsonl'));
    const evalArgs = (file) => [
      bin,
      'eval',
      'run',
      join(home, file),
      '--concurrency',
      String(CONCURRENCY),
      '--no-cache',
      '--json',
    ];
    const batchArgs = [
      bin,
      'prompt',
      'run',
      'alpha',
      '--input-file',
      join(home, 'batch.jsonl'),
      '--concurrency',
      String(CONCURRENCY),
      '--no-cache',
    ];
    const samples = { eval: [], batch: [] };
    for (let round = 0; round < ROUNDS; round++) {
      samples.batch.push(timeOnce('node', batchArgs, env));
      // From the eval's folder: an eval reads only files inside the working folder.
      samples.eval.push(timeOnce('node', evalArgs('eval.yaml'), env, home));
    }
    const evalMs = median(samples.eval);
    const batchMs = median(samples.batch);
    const ratio = batchMs / evalMs;
    console.log(`\nEval: ${CASES} cases × 2 prompts, 3 assertions each, answers at once`);
    console.log(`  prompt run --input-file, 2,000 calls      ${batchMs.toFixed(0)} ms`);
    console.log(`  eval run, 2,000 cells                     ${evalMs.toFixed(0)} ms`);
    console.log(
      `  throughput ratio ${ratio.toFixed(2)}x (target >= 0.9x): ${ratio >= 0.9 ? 'within target' : 'UNDER TARGET'}`,
    );

    writeFileSync(join(home, 'big.jsonl'), cases(CASES * 10));
    writeFileSync(join(home, 'big.yaml'), evalFile('big.jsonl'));
    const small = peakMb(evalArgs('eval.yaml'), env, home);
    const big = peakMb(evalArgs('big.yaml'), env, home);
    // V8 lets its heap grow while there is room: with the heap capped, the same eval still
    // finishes when nothing is kept per case.
    const capped = peakMb(evalArgs('big.yaml'), env, home, [`--max-old-space-size=${HEAP_CAP_MB}`]);
    console.log(
      `  peak memory: ${CASES} cases ${small.toFixed(0)} MB, ${CASES * 10} cases ${big.toFixed(0)} MB (${capped.toFixed(0)} MB with the heap capped at ${HEAP_CAP_MB} MB)`,
    );
    return { eval: ratio, evalMemoryGrowth: big / small };
  } finally {
    remove();
  }
}
