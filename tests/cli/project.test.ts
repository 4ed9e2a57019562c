// The project, config and db commands driven in-process through `run`, against a real
// database file in a temp directory.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listMigrationNames } from '../../src/db/migrations.js';
import { runInProcess, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

function setup() {
  const home = tempDir();
  const env = testEnv(home);
  const cli = (args: string[], options: { stdin?: string; tty?: boolean } = {}) =>
    runInProcess(args, { env, cwd: home, ...options });
  return { home, env, cli };
}

describe('project commands', () => {
  it('create → list → show → update → use → delete', async () => {
    const { home, cli } = setup();
    mkdirSync(join(home, 'code'));
    const created = await cli(['project', 'create', 'shop', '-d', 'Web shop', '--root', 'code']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toContain('✓ Created project shop');
    expect(created.stdout).toContain('prompt-runner project use shop');

    const list = await cli(['project', 'list', '--json']);
    const projects = JSON.parse(list.stdout);
    expect(projects).toHaveLength(1);
    expect(projects[0]).toMatchObject({
      name: 'shop',
      description: 'Web shop',
      rootPath: join(home, 'code'),
      current: false,
      counts: { prompts: 0, workflows: 0, sessions: 0 },
    });

    const table = await cli(['project', 'list']);
    expect(table.stdout).toMatch(/│\s+│ shop\s+│ Web shop\s+│ 0\s+│ 0\s+│ 0/);

    expect((await cli(['project', 'use', 'shop'])).stdout).toContain('Now using project shop');
    const shown = await cli(['project', 'show']);
    expect(shown.stdout).toMatch(/Name\s+shop \(current\)/);
    expect(shown.stdout).toMatch(/Root\s+.*code/);

    const renamed = await cli(['project', 'update', 'shop', '--rename', 'store', '--json']);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ name: 'store', current: true });
    expect((await cli(['config', 'get', 'project'])).stdout).toBe('store\n');

    const refused = await cli(['project', 'delete', 'store']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/confirmation needed \(pass --yes/);

    const deleted = await cli(['project', 'delete', 'store', '--yes']);
    expect(deleted.stdout).toContain(
      '✓ Deleted project store (0 prompts, 0 workflows, 0 sessions)',
    );
    expect((await cli(['config', 'get', 'project'])).stdout).toBe('\n');
    expect((await cli(['project', 'list'])).stdout).toContain('No projects yet');
  });

  it('asks before deleting on a terminal and keeps the project on "n"', async () => {
    const { cli } = setup();
    await cli(['project', 'create', 'keep']);
    const kept = await cli(['project', 'delete', 'keep'], { tty: true, stdin: 'n\n' });
    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain(
      'Delete project keep and its 0 prompts, 0 workflows, 0 sessions? [y/N]',
    );
    expect(kept.stdout).toContain('Nothing deleted.');
    const gone = await cli(['project', 'delete', 'keep'], { tty: true, stdin: 'y\n' });
    expect(gone.stdout).toContain('✓ Deleted project keep');
  });

  it('reports failures as one line with the right exit code', async () => {
    const { cli } = setup();
    await cli(['project', 'create', 'dup']);
    const cases: [string[], number, RegExp][] = [
      [['project', 'create', 'dup'], 1, /^Error: Project "dup" already exists/],
      [['project', 'show', 'ghost'], 1, /^Error: Project "ghost" not found/],
      [['project', 'create', 'bad name'], 2, /^Error: Invalid project name "bad name"/],
      [['project', 'create', ''], 2, /cannot be empty/],
      [['project', 'update', 'dup'], 2, /^Error: Nothing to update/],
      [['project', 'use', 'ghost'], 1, /not found/],
      [['project', 'show'], 2, /^Error: No project selected/],
      [['project', 'create'], 2, /^Error: missing required argument 'name'/],
      [['project', 'create', 'x', '--bogus'], 2, /^Error: unknown option '--bogus'/],
      [['projekt'], 2, /^Error: unknown command 'projekt'/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
    expect(JSON.parse((await cli(['project', 'list', '--json'])).stdout)).toHaveLength(1);
  });

  it('picks the project from PROMPT_RUNNER_PROJECT when none is chosen', async () => {
    const { home, cli } = setup();
    await cli(['project', 'create', 'from-env']);
    const result = await runInProcess(['project', 'show', '--json'], {
      env: testEnv(home, { PROMPT_RUNNER_PROJECT: 'from-env' }),
    });
    expect(JSON.parse(result.stdout).name).toBe('from-env');
  });

  it('prints help with examples for a group and for a command', async () => {
    const { cli } = setup();
    const group = await cli(['project', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('Examples:');
    const create = await cli(['project', 'create', '--help']);
    expect(create.stdout).toContain('$ prompt-runner project create myapp --root .');
    expect(create.stdout).toContain('--json');
    const bare = await cli(['project']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: prompt-runner project');
    // An example that pipes into prompt-runner is shown as typed.
    const piped = await cli(['prompt', 'render', '--help']);
    expect(piped.stdout).toContain('$ git diff | prompt-runner prompt render review --part user');
    expect(piped.stdout).not.toContain('prompt-runner git');
  });

  it('refuses an empty -p, and --global with -p', async () => {
    const { cli } = setup();
    await cli(['project', 'create', 'app']);
    await cli(['project', 'use', 'app']);
    const empty = await cli(['prompt', 'list', '-p', '']);
    expect(empty).toMatchObject({ code: 2, stderr: 'Error: -p/--project needs a project name\n' });
    const both = await cli(['prompt', 'create', 'g', '--global', '-p', 'app', '--body', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/'--global' cannot be used with option '-p/);
    expect((await cli(['prompt', 'list', '--all', '--json'])).stdout).toBe('[]\n');
  });

  it('lists every command group in the top-level help, and loads a group for `help <group>`', async () => {
    const { cli } = setup();
    const top = await cli(['--help']);
    const groups = [
      'project',
      'prompt',
      'workflow',
      'orchestrate',
      'execution',
      'cache',
      'config',
      'db',
    ];
    for (const group of groups)
      expect(top.stdout).toMatch(new RegExp(`^  ${group} \\[options\\]`, 'm'));
    expect(top.stdout).toContain('The record of every model call');
    const viaHelp = await cli(['help', 'workflow']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Multi-step prompt pipelines');
    expect(viaHelp.stdout).toMatch(/^ {2}resume /m);
    const typo = await cli(['workflw', 'list']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/Did you mean workflow\?/);
  });
});

describe('config commands', () => {
  it('sets, gets, lists and unsets values', async () => {
    const { cli, home } = setup();
    expect((await cli(['config', 'set', 'temperature', '0.4'])).stdout).toContain(
      '✓ Set temperature = 0.4',
    );
    expect(JSON.parse((await cli(['config', 'get', 'temperature', '--json'])).stdout)).toEqual({
      key: 'temperature',
      value: 0.4,
      source: 'config',
      description: expect.any(String),
    });
    const list = JSON.parse((await cli(['config', 'list', '--json'])).stdout);
    expect(list.find((e: { key: string }) => e.key === 'temperature').value).toBe(0.4);
    expect((await cli(['config', 'list'])).stdout).toContain(join(home, 'config.json'));
    await cli(['config', 'unset', 'temperature']);
    expect((await cli(['config', 'get', 'temperature'])).stdout).toBe('\n');
    // Unset keys with a built-in default show it, and say so.
    const defaults = JSON.parse((await cli(['config', 'list', '--json'])).stdout);
    expect(defaults.find((e: { key: string }) => e.key === 'concurrency')).toMatchObject({
      value: 4,
      source: 'default',
    });
    await cli(['config', 'set', 'concurrency', '8']);
    expect(
      JSON.parse((await cli(['config', 'get', 'concurrency', '--json'])).stdout),
    ).toMatchObject({ value: 8, source: 'config' });
    expect((await cli(['config', 'list'])).stdout).toMatch(/│ model\s+│ gpt-4o-mini\s+│ default/);
  });

  it('says in one line when its home is below a file', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    const env = testEnv(join(file, 'home'));
    const list = await runInProcess(['project', 'list'], { env });
    expect(list).toMatchObject({ code: 1, stdout: '' });
    expect(list.stderr).toBe(
      `Error: Cannot use the database at ${join(file, 'home', 'prompt-runner.db')}: a part of the path is a file, not a folder (point PROMPT_RUNNER_HOME, PROMPT_RUNNER_DB or --db at a folder you can write)\n`,
    );
    const set = await runInProcess(['config', 'set', 'model', 'x'], { env });
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/^Error: Cannot write config file .*: a part of the path is a file/);
  });

  it('refuses unknown keys and bad values and changes nothing', async () => {
    const { cli, home } = setup();
    const unknown = await cli(['config', 'set', 'colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown config key "colour" \(valid keys: project, model/);
    const bad = await cli(['config', 'set', 'maxRetries', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid value for maxRetries/);
    const missing = await cli(['config', 'set', 'project', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: Project "nope" not found/);
    expect(existsSync(join(home, 'config.json'))).toBe(false);
  });
});

describe('db commands', () => {
  it('prints the path, migrates, and backs up', async () => {
    const { cli, home } = setup();
    const path = await cli(['db', 'path']);
    expect(path.stdout).toBe(`${join(home, 'prompt-runner.db')}\n`);
    expect(JSON.parse((await cli(['db', 'path', '--json'])).stdout)).toMatchObject({
      exists: false,
    });

    const first = JSON.parse((await cli(['db', 'migrate', '--json'])).stdout);
    expect(first.applied.length).toBe(first.total);
    const second = await cli(['db', 'migrate']);
    expect(second.stdout).toContain(
      `✓ Database is up to date (${listMigrationNames().length} migrations)`,
    );

    const backup = await cli(['db', 'backup', 'copy.db', '--json']);
    expect(JSON.parse(backup.stdout)).toMatchObject({ path: join(home, 'copy.db') });
    const again = await cli(['db', 'backup', 'copy.db']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('honours --db over PROMPT_RUNNER_DB', async () => {
    const { home } = setup();
    const env = testEnv(home, { PROMPT_RUNNER_DB: join(home, 'env.db') });
    const viaEnv = await runInProcess(['db', 'path'], { env });
    expect(viaEnv.stdout.trim()).toBe(join(home, 'env.db'));
    const viaFlag = await runInProcess(['--db', 'flag.db', 'db', 'path'], { env, cwd: home });
    expect(viaFlag.stdout.trim()).toBe(join(home, 'flag.db'));
    const after = await runInProcess(['db', 'path', '--db', 'late.db'], { env, cwd: home });
    expect(after.stdout.trim()).toBe(join(home, 'late.db'));
  });
});
