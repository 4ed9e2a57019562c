// Start-up: `--version` against a bare node start; `project list --json` against a bare
// better-sqlite3 script reading the same rows.
import { join } from 'node:path';
import { compare, report } from './harness.mjs';
import { benchHome, bin, NO_CODE_CACHE, root, runs } from './setup.mjs';

export function benchStartup() {
  const { env, cli, db, remove } = benchHome();
  try {
    for (let i = 1; i <= 20; i++) cli('project', 'create', `bench-${i}`, '-d', `Project ${i}`);
    const start = compare(
      [
        { name: 'node -e 0', command: 'node', args: ['-e', '0'], env },
        { name: 'prompt-runner --version', command: 'node', args: [bin, '--version'], env },
        {
          name: 'prompt-runner --version, no code cache',
          command: 'node',
          args: [bin, '--version'],
          env: { ...env, ...NO_CODE_CACHE },
        },
      ],
      { runs },
    );
    const version = report(
      'Start-up: --version against a bare node start',
      start,
      'node -e 0',
      'prompt-runner --version',
      1.5,
    );
    const bare = join(root, 'tests', 'bench', 'bare-project-list.mjs');
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
    const projects = report(
      'project list --json (20 projects) against a bare script reading the same rows',
      list,
      'bare better-sqlite3 script',
      'prompt-runner project list --json',
      3,
    );
    return { version, projects };
  } finally {
    remove();
  }
}
