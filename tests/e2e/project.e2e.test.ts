// The built binary, spawned as a user would run it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { listMigrationNames } from '../../src/db/migrations.js';
import { runBinary, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

function setup(extra: NodeJS.ProcessEnv = {}) {
  const home = tempDir();
  const env = testEnv(home, extra);
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  return { home, env, cli };
}

function expectOneLineError(stderr: string, pattern: RegExp) {
  expect(stderr).toMatch(pattern);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('prompt-runner (built binary)', () => {
  it('prints its version and help', async () => {
    const { cli } = setup();
    const version = await cli('--version');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await cli('--help');
    expect(help.stdout).toContain('Usage: prompt-runner');
    expect(help.stdout).toContain('project');
  });

  it('manages projects end to end with --json output that parses', async () => {
    const { cli } = setup();
    const created = await cli('project', 'create', 'api', '--description', 'Public API', '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'api', description: 'Public API' });

    await cli('project', 'create', 'web');
    const list = JSON.parse((await cli('project', 'list', '--json')).stdout);
    expect(list.map((p: { name: string }) => p.name)).toEqual(['api', 'web']);

    expect((await cli('project', 'use', 'web')).code).toBe(0);
    const shown = JSON.parse((await cli('project', 'show', '--json')).stdout);
    expect(shown).toMatchObject({ name: 'web', current: true });

    const updated = await cli('project', 'update', 'api', '--model', 'llama3.1', '--json');
    expect(JSON.parse(updated.stdout).defaultModel).toBe('llama3.1');

    const deleted = await cli('project', 'delete', 'api', '--yes');
    expect(deleted.stdout).toContain('✓ Deleted project api');
    const after = JSON.parse((await cli('project', 'list', '--json')).stdout);
    expect(after.map((p: { name: string }) => p.name)).toEqual(['web']);
  });

  it('refuses bad input with one line, the right exit code and no stack trace', async () => {
    const { cli } = setup();
    await cli('project', 'create', 'taken');
    const duplicate = await cli('project', 'create', 'taken');
    expect(duplicate.code).toBe(1);
    expectOneLineError(duplicate.stderr, /^Error: Project "taken" already exists/);

    const unknown = await cli('project', 'show', 'nobody');
    expect(unknown.code).toBe(1);
    expectOneLineError(unknown.stderr, /^Error: Project "nobody" not found/);

    for (const name of ['has space', '   ', '../escape', 'x'.repeat(100)]) {
      const bad = await cli('project', 'create', name);
      expect(bad.code).toBe(2);
      expectOneLineError(bad.stderr, /^Error: Invalid project name/);
    }
    const list = JSON.parse((await cli('project', 'list', '--json')).stdout);
    expect(list).toHaveLength(1);
  });

  it('shows the stack of a failure only with --verbose', async () => {
    const { cli } = setup();
    const quiet = await cli('project', 'show', 'nobody');
    expect(quiet.stderr).not.toContain('    at ');
    const verbose = await cli('project', 'show', 'nobody', '--verbose');
    expect(verbose.stderr).toContain('    at ');
  });

  it('colours output on request and never with NO_COLOR or --no-color', async () => {
    const { home } = setup();
    const run = (extra: NodeJS.ProcessEnv, ...args: string[]) =>
      runBinary(['project', 'create', ...args], { env: testEnv(home, extra) });
    expect((await run({ FORCE_COLOR: '1' }, 'one')).stdout).toContain('\u001b[');
    expect((await run({ FORCE_COLOR: '1', NO_COLOR: '1' }, 'two')).stdout).not.toContain('\u001b[');
    expect((await run({ FORCE_COLOR: '1' }, 'three', '--no-color')).stdout).not.toContain(
      '\u001b[',
    );
  });

  it('migrates a fresh database by itself, once', async () => {
    const { cli, home } = setup();
    const first = await cli('project', 'list', '--verbose');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/applied migrations: \d+_init/);

    const db = new BetterSqlite3(join(home, 'prompt-runner.db'), { readonly: true });
    const history = () =>
      db.prepare('SELECT migration_name, started_at FROM _prisma_migrations').all();
    const before = history();
    expect(before).toHaveLength(listMigrationNames().length);

    const second = await cli('project', 'list', '--verbose');
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('applied migrations');
    expect(history()).toEqual(before);
    db.close();
  });

  it('keeps every setting when several processes change config at once', async () => {
    const { cli, home } = setup();
    const settings: [string, string][] = [
      ['model', 'm1'],
      ['temperature', '0.3'],
      ['maxTokens', '64'],
      ['timeout', '30'],
      ['maxRetries', '1'],
      ['concurrency', '2'],
    ];
    const results = await Promise.all(
      settings.map(([key, value]) => cli('config', 'set', key, value)),
    );
    expect(results.map((r) => r.code)).toEqual(settings.map(() => 0));
    const stored = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
    expect(Object.keys(stored).sort()).toEqual(settings.map(([key]) => key).sort());
  });

  it('lets several processes start on the same fresh database at once', async () => {
    const { cli, home } = setup();
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => cli('project', 'create', name)),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const db = new BetterSqlite3(join(home, 'prompt-runner.db'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM _prisma_migrations').get()).toEqual({
      n: listMigrationNames().length,
    });
    expect(db.prepare('SELECT COUNT(*) AS n FROM Project').get()).toEqual({ n: 4 });
    db.close();
  });

  it('refuses a PROMPT_RUNNER_DB that is not SQLite and leaves it unchanged', async () => {
    const home = tempDir();
    const file = join(home, 'important.txt');
    const content = '# My notes\n\nDo not overwrite me.\n';
    writeFileSync(file, content);
    const result = await runBinary(['project', 'list'], {
      env: testEnv(home, { PROMPT_RUNNER_DB: file }),
    });
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /not a prompt-runner database/);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});
