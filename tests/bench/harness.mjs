// Runs commands side by side, interleaved, so machine noise hits them alike; reports medians.
import { spawn, spawnSync } from 'node:child_process';

export function timeOnce(command, args, env, cwd = undefined) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return ms;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** cases: {name, command, args, env}[]; returns {name: medianMs}. */
export function compare(cases, { runs = 25, warmup = 3 } = {}) {
  const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const c of cases) {
      const ms = timeOnce(c.command, c.args, c.env);
      if (i >= warmup) samples[c.name].push(ms);
    }
  }
  return Object.fromEntries(cases.map((c) => [c.name, median(samples[c.name])]));
}

export function report(title, medians, baseline, subject, target) {
  const ratio = medians[subject] / medians[baseline];
  const verdict = ratio <= target ? 'within target' : 'OVER TARGET';
  console.log(`\n${title}`);
  for (const [name, ms] of Object.entries(medians)) {
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(1)} ms`);
  }
  console.log(`  ratio ${ratio.toFixed(2)}x (target <= ${target}x): ${verdict}`);
  return ratio;
}

/** Starts `node script …args` and resolves with its first line of output (a URL). */
export function startServer(script, args = []) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) =>
      resolve({ url: String(chunk).trim(), stop: () => child.kill('SIGTERM') }),
    );
    child.once('error', reject);
  });
}
