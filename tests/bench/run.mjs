// `npm run bench`: start-up costs of the built CLI, measured side by side in one run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, report } from './harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'dist', 'bin.js');
const bare = join(root, 'tests', 'bench', 'bare-project-list.mjs');
const home = mkdtempSync(join(tmpdir(), 'prompt-runner-bench-'));
const env = { ...process.env, PROMPT_RUNNER_HOME: home, NO_COLOR: '1' };
const runs = Number(process.env.BENCH_RUNS ?? 25);

try {
  for (let i = 1; i <= 20; i++) {
    const created = spawnSync(
      'node',
      [bin, 'project', 'create', `bench-${i}`, '-d', `Project ${i}`],
      { env },
    );
    if (created.status !== 0) throw new Error(String(created.stderr));
  }
  const db = join(home, 'prompt-runner.db');

  const start = compare(
    [
      { name: 'node -e 0', command: 'node', args: ['-e', '0'], env },
      { name: 'prompt-runner --version', command: 'node', args: [bin, '--version'], env },
    ],
    { runs },
  );
  report(
    'Start-up: --version against a bare node start',
    start,
    'node -e 0',
    'prompt-runner --version',
    1.5,
  );

  const list = compare(
    [
      { name: 'bare better-sqlite3 script', command: 'node', args: [bare, db], env },
      {
        name: 'prompt-runner project list --json',
        command: 'node',
        args: [bin, 'project', 'list', '--json'],
        env,
      },
    ],
    { runs },
  );
  report(
    'project list --json (20 projects) against a bare script reading the same rows',
    list,
    'bare better-sqlite3 script',
    'prompt-runner project list --json',
    2.5,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
