// The prompt commands in-process, against a real database in a temp directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

async function setup() {
  const home = tempDir();
  const env = testEnv(home);
  const cli = (args: string[], options: { stdin?: string; tty?: boolean } = {}) =>
    runInProcess(args, { env, cwd: home, ...options });
  await cli(['project', 'create', 'app']);
  await cli(['project', 'use', 'app']);
  return { home, cli };
}

function json(result: { stdout: string }) {
  return JSON.parse(result.stdout);
}

describe('prompt commands', () => {
  it('create, list, show, update, versions, render, delete', async () => {
    const { cli } = await setup();
    const created = await cli([
      'prompt',
      'create',
      'greet',
      '--body',
      'Hello {{name}} about {{topic}}',
      '--system',
      'Be {{tone}}.',
      '--default',
      'topic=AI',
      '--default',
      'tone=kind',
      '--tag',
      'demo',
      '-d',
      'Greets people',
      '--temperature',
      '0.5',
    ]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('✓ Created prompt greet v1 (variables: topic, tone, name)');

    const list = await cli(['prompt', 'list']);
    expect(list.stdout).toMatch(/│ greet\s+│ v1\s+│ topic\?, tone\?, name\s+│ Greets people/);

    const shown = json(await cli(['prompt', 'show', 'greet', '--json']));
    expect(shown).toMatchObject({
      name: 'greet',
      project: 'app',
      version: 1,
      versions: 1,
      system: 'Be {{tone}}.',
      parameters: { temperature: 0.5 },
      tags: ['demo'],
    });

    const rendered = await cli(['prompt', 'render', 'greet', '--var', 'name=Ada']);
    expect(rendered.stdout).toBe('── system ──\nBe kind.\n── user ──\nHello Ada about AI');
    const userOnly = await cli([
      'prompt',
      'render',
      'greet',
      '--var',
      'name=Ada',
      '--part',
      'user',
    ]);
    expect(userOnly.stdout).toBe('Hello Ada about AI');

    const updated = await cli([
      'prompt',
      'update',
      'greet',
      '--body',
      'Hi {{name}}',
      '--message',
      'short',
    ]);
    expect(updated.stdout).toContain('✓ Updated prompt greet (now v2)');
    const unchanged = await cli(['prompt', 'update', 'greet', '--body', 'Hi {{name}}']);
    expect(unchanged.stdout).toContain('Prompt greet is unchanged (version 2)');
    const params = json(await cli(['prompt', 'update', 'greet', '--max-tokens', '50', '--json']));
    expect(params).toMatchObject({ version: 3, parameters: { temperature: 0.5, maxTokens: 50 } });

    const versions = json(await cli(['prompt', 'versions', 'greet', '--json']));
    expect(
      versions.map((v: { version: number; message: string | null }) => [v.version, v.message]),
    ).toEqual([
      [1, null],
      [2, 'short'],
      [3, null],
    ]);
    expect((await cli(['prompt', 'versions', 'greet'])).stdout).toMatch(
      /│ v2\s+│ .*│ short\s+│ \+1 -1/,
    );
    const v1 = await cli([
      'prompt',
      'render',
      'greet',
      '--var',
      'name=Ada',
      '--version',
      '1',
      '--part',
      'user',
    ]);
    expect(v1.stdout).toBe('Hello Ada about AI');

    expect((await cli(['prompt', 'delete', 'greet'])).code).toBe(2);
    const deleted = await cli(['prompt', 'delete', 'greet', '--yes']);
    expect(deleted.stdout).toContain('✓ Deleted prompt greet (3 versions)');
    expect((await cli(['prompt', 'list'])).stdout).toContain('No prompts yet');
  });

  it('reads the body from a file or stdin, and piped input as {{input}}', async () => {
    const { cli, home } = await setup();
    writeFileSync(join(home, 'review.hbs'), 'Review:\n{{input}}\n');
    expect((await cli(['prompt', 'create', 'review', '--file', 'review.hbs'])).code).toBe(0);
    expect((await cli(['prompt', 'create', 'piped'], { stdin: 'From {{where}}' })).code).toBe(0);
    expect(json(await cli(['prompt', 'show', 'piped', '--json'])).body).toBe('From {{where}}');

    const rendered = await cli(['prompt', 'render', 'review'], { stdin: 'diff --git a b' });
    // The file's last newline ends the file, not the body.
    expect(rendered.stdout).toBe('Review:\ndiff --git a b');
    const given = await cli(['prompt', 'render', 'review', '--var', 'input=flag wins'], {
      stdin: 'ignored',
    });
    expect(given.stdout).toBe('Review:\nflag wins');
  });

  it('takes variables from a JSON or YAML file, flags winning', async () => {
    const { cli, home } = await setup();
    await cli([
      'prompt',
      'create',
      'list',
      '--body',
      '{{title}}: {{join items " / "}} ({{owner.name}})',
    ]);
    writeFileSync(join(home, 'vars.yaml'), 'title: Todo\nitems: [a, b]\nowner:\n  name: Bo\n');
    writeFileSync(
      join(home, 'vars.json'),
      JSON.stringify({ title: 'J', items: ['x'], owner: { name: 'Cy' } }),
    );
    const fromYaml = await cli(['prompt', 'render', 'list', '--vars-file', 'vars.yaml']);
    expect(fromYaml.stdout).toBe('Todo: a / b (Bo)');
    const fromJson = await cli([
      'prompt',
      'render',
      'list',
      '--vars-file',
      'vars.json',
      '--var',
      'title=Flag',
    ]);
    expect(fromJson.stdout).toBe('Flag: x (Cy)');
  });

  it('refuses bad input with one line, the right exit code, and changes nothing', async () => {
    const { cli, home } = await setup();
    await cli(['prompt', 'create', 'p', '--body', 'Hi {{a}} {{b}}']);
    writeFileSync(join(home, 'broken.json'), '{"a": ');
    writeFileSync(join(home, 'list.json'), '[1, 2]');
    const cases: [string[], number, RegExp][] = [
      [['prompt', 'create', 'x', '--body', 'Hi {{name'], 2, /syntax error at line 1, column \d+/],
      [
        ['prompt', 'create', 'x', '--body', '{{#if a}}open'],
        2,
        /line 1, column 10: a block is not closed/,
      ],
      [['prompt', 'create', 'x', '--body', '   '], 2, /The prompt body is empty/],
      [['prompt', 'create', 'x'], 2, /The prompt body is empty/],
      [
        ['prompt', 'create', 'p', '--body', 'again'],
        1,
        /Prompt "p" already exists in project "app"/,
      ],
      [
        ['prompt', 'create', 'x', '--file', 'nope.hbs'],
        2,
        /Cannot read file nope.hbs: no such file/,
      ],
      [['prompt', 'create', 'x', '--file', 'a', '--body', 'b'], 2, /not both/],
      [['prompt', 'create', 'bad name', '--body', 'x'], 2, /Invalid prompt name/],
      [['prompt', 'create', 'x', '--body', 'y', '--temperature', 'hot'], 2, /temperature/],
      [['prompt', 'render', 'p'], 2, /Missing variables: "a", "b"/],
      [['prompt', 'render', 'p', '--var', 'a'], 2, /--var "a" needs the form name=value/],
      [
        ['prompt', 'render', 'p', '--vars-file', 'broken.json'],
        2,
        /not valid JSON or YAML at line 1, column \d+: /,
      ],
      [['prompt', 'render', 'p', '--vars-file', 'list.json'], 2, /must hold an object/],
      [['prompt', 'render', 'p', '--part', 'middle', '--var', 'a=1'], 2, /part/],
      [['prompt', 'show', 'ghost'], 1, /Prompt "ghost" not found in project "app"/],
      [['prompt', 'show', 'p', '--version', '4'], 1, /Prompt "p" has no version 4/],
      [['prompt', 'show', 'p', '--version', 'two'], 2, /version/],
      [['prompt', 'update', 'p'], 2, /Nothing to update/],
      [['prompt', 'update', 'p', '--body', '{{/if}}'], 2, /syntax error/],
      [['prompt', 'list', '-p', 'ghost'], 1, /Project "ghost" not found/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(args);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code,
        stderr: expect.stringMatching(message),
      });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const prompts = json(await cli(['prompt', 'list', '--json']));
    expect(prompts.map((p: { name: string; version: number }) => [p.name, p.version])).toEqual([
      ['p', 1],
    ]);
  });

  it('works on global prompts with --global, and needs a project otherwise', async () => {
    const home = tempDir();
    const env = testEnv(home);
    const cli = (args: string[]) => runInProcess(args, { env, cwd: home });
    const none = await cli(['prompt', 'list']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No project selected \(pass -p <name> or --global/);
    expect((await cli(['prompt', 'create', 'shared', '--global', '--body', 'G'])).code).toBe(0);
    await cli(['project', 'create', 'app']);
    const list = json(await cli(['prompt', 'list', '-p', 'app', '--json']));
    expect(list).toMatchObject([{ name: 'shared', project: null }]);
    expect((await cli(['prompt', 'render', 'shared', '-p', 'app'])).stdout).toBe('G');
    // Changing it from a project would change it for every project: that takes --global.
    for (const args of [
      ['prompt', 'update', 'shared', '-p', 'app', '--body', 'changed'],
      ['prompt', 'delete', 'shared', '-p', 'app', '--yes'],
    ]) {
      const refused = await cli(args);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        'Error: Prompt "shared" is a global prompt, shared by every project (pass --global to change it)\n',
      );
    }
    expect((await cli(['prompt', 'render', 'shared', '--global'])).stdout).toBe('G');
    expect((await cli(['prompt', 'update', 'shared', '--global', '--body', 'G2'])).code).toBe(0);
  });

  it('exports and imports .prompt files: a round trip gives the same prompt', async () => {
    const { cli, home } = await setup();
    await cli(['project', 'create', 'copy']);
    await cli([
      'prompt',
      'create',
      'sum',
      '--body',
      'Sum up {{text}}',
      '--system',
      'Be brief, {{who}}.',
      '--default',
      'who=friend',
      '--tag',
      'a',
      '--tag',
      'b',
      '-d',
      'Summaries',
      '-m',
      'gpt-4o-mini',
      '--temperature',
      '0.1',
      '--max-tokens',
      '99',
      '--message',
      'first',
    ]);
    const exported = await cli(['prompt', 'export', 'sum', '-o', 'sum.prompt']);
    expect(exported.stdout).toContain(`Exported sum v1 to ${join(home, 'sum.prompt')}`);
    expect((await cli(['prompt', 'export', 'sum', '-o', 'sum.prompt'])).code).toBe(1);
    expect((await cli(['prompt', 'export', 'sum', '-o', 'sum.prompt', '--force'])).code).toBe(0);
    const intoDir = await cli(['prompt', 'export', 'sum', '-o', '.']);
    expect(intoDir).toMatchObject({
      code: 2,
      stderr: `Error: Cannot write ${home}: it is a directory\n`,
    });
    const text = readFileSync(join(home, 'sum.prompt'), 'utf8');
    expect((await cli(['prompt', 'export', 'sum'])).stdout).toBe(text);
    expect((await cli(['prompt', 'export', 'sum', '-o', '-'])).stdout).toBe(text);
    expect(existsSync(join(home, '-'))).toBe(false);

    const imported = await cli(['prompt', 'import', 'sum.prompt', '-p', 'copy']);
    expect(imported.stdout).toContain('✓ Created sum v1');
    const strip = ({
      id,
      project,
      createdAt,
      updatedAt,
      versionCreatedAt,
      ...rest
    }: Record<string, unknown>) => rest;
    const original = json(await cli(['prompt', 'show', 'sum', '--json']));
    const copy = json(await cli(['prompt', 'show', 'sum', '-p', 'copy', '--json']));
    expect(strip(copy)).toEqual(strip(original));

    const again = await cli(['prompt', 'import', 'sum.prompt', '-p', 'copy']);
    expect(again.stdout).toContain('sum unchanged (v1)');
    writeFileSync(join(home, 'sum.prompt'), text.replace('Sum up', 'Summarise'));
    const changed = json(await cli(['prompt', 'import', 'sum.prompt', '-p', 'copy', '--json']));
    expect(changed).toEqual([
      { file: 'sum.prompt', name: 'sum', status: 'updated', version: 2, error: null },
    ]);
  });

  it('imports a directory, reporting each failing file and keeping the rest', async () => {
    const { cli, home } = await setup();
    const dir = join(home, 'prompts');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'a.prompt'), 'A {{x}}\n');
    writeFileSync(join(dir, 'nested', 'b.prompt'), '---\ndescription: B\n---\nB\n');
    writeFileSync(join(dir, 'bad.prompt'), '---\nconfig:\n  temperature: hot\n---\nx\n');
    writeFileSync(join(dir, 'broken.prompt'), 'Hi {{#each}}\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a prompt');

    const atomic = await cli(['prompt', 'import', 'prompts', '--atomic']);
    expect(atomic.code).toBe(2);
    expect(atomic.stderr).toContain(
      'prompts/bad.prompt: invalid front matter at config.temperature',
    );
    expect(atomic.stderr).toContain('prompts/broken.prompt:');
    expect(atomic.stderr).toContain('2 of 4 files failed to import; none was imported');
    expect(json(await cli(['prompt', 'list', '--json']))).toEqual([]);

    const partial = await cli(['prompt', 'import', 'prompts']);
    expect(partial.code).toBe(2);
    expect(partial.stdout).toContain('✓ Created a v1');
    expect(partial.stdout).toContain('✓ Created nested/b v1');
    expect(partial.stderr).toContain('2 of 4 files failed to import; the others were imported');
    const single = await cli(['prompt', 'import', 'prompts/broken.prompt']);
    expect(single.code).toBe(2);
    expect(single.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Error: prompts\/broken\.prompt: /),
    ]);
    const names = json(await cli(['prompt', 'list', '--json'])).map(
      (p: { name: string }) => p.name,
    );
    expect(names).toEqual(['a', 'nested/b']);

    expect((await cli(['prompt', 'import', 'missing-dir'])).stderr).toMatch(
      /No such file or directory/,
    );
  });
});
