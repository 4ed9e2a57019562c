// Prompt commands through the built binary: real pipes, real files, exact bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

async function setup() {
  const home = tempDir();
  const env = testEnv(home, { PROMPT_RUNNER_PROJECT: 'app' });
  const cli = (args: string[], stdin?: string) => runBinary(args, { env, cwd: home, stdin });
  await cli(['project', 'create', 'app']);
  return { home, cli };
}

describe('prompt-runner prompt (built binary)', () => {
  it('creates a prompt from stdin and renders piped text as {{input}}', async () => {
    const { cli } = await setup();
    const created = await cli(['prompt', 'create', 'review'], 'Review this:\n{{input}}');
    expect(created.code).toBe(0);
    const rendered = await cli(['prompt', 'render', 'review'], 'const x = 1;\n');
    expect(rendered).toMatchObject({ code: 0, stderr: '' });
    expect(rendered.stdout).toBe('Review this:\nconst x = 1;\n');
  });

  it('renders with variables from a YAML vars file, the flags winning', async () => {
    const { cli, home } = await setup();
    await cli(['prompt', 'create', 'greet', '--body', '{{greeting}}, {{name}}!']);
    writeFileSync(join(home, 'vars.yaml'), 'greeting: Hello\nname: file\n');
    const rendered = await cli([
      'prompt',
      'render',
      'greet',
      '--vars-file',
      'vars.yaml',
      '--var',
      'name=flag',
    ]);
    expect(rendered).toMatchObject({ code: 0, stdout: 'Hello, flag!', stderr: '' });
    writeFileSync(join(home, 'list.yaml'), '- a\n- b\n');
    const list = await cli(['prompt', 'render', 'greet', '--vars-file', 'list.yaml']);
    expect(list.code).toBe(2);
    expect(list.stderr).toBe(
      'Error: Vars file list.yaml must hold an object of name: value pairs\n',
    );
  });

  it('stores and renders a 2 MB template with emoji, CJK and right-to-left text byte for byte', async () => {
    const { cli, home } = await setup();
    // A long document with a few variables, as a real prompt would have.
    const line = 'Grüße 👋🏽 你好 こんにちは שָׁלוֹם مرحبا — ✓\n';
    const text = line.repeat(Math.ceil((2 * 1024 * 1024) / Buffer.byteLength(line)));
    const body = `Dear {{who}},\n${text}Regards, {{who}}`;
    // The file's last newline ends the file, not the body.
    writeFileSync(join(home, 'big.hbs'), `${body}\n`);
    expect((await cli(['prompt', 'create', 'big', '--file', 'big.hbs'])).code).toBe(0);
    const rendered = await cli(['prompt', 'render', 'big', '--var', 'who=Zoë']);
    expect(rendered.code).toBe(0);
    expect(
      Buffer.from(rendered.stdout).equals(Buffer.from(body.replaceAll('{{who}}', 'Zoë'))),
    ).toBe(true);
    const shown = JSON.parse((await cli(['prompt', 'show', 'big', '--json'])).stdout);
    expect(shown.body).toBe(body);
  });

  it('refuses a broken template with its line and column and saves nothing', async () => {
    const { cli } = await setup();
    const result = await cli([
      'prompt',
      'create',
      'bad',
      '--body',
      'line one\n{{#each items}}\n{{name}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^Error: Template "body" has a syntax error at line 3, column \d+/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse((await cli(['prompt', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('round-trips a prompt through a .prompt file into another project', async () => {
    const { cli, home } = await setup();
    await cli(['project', 'create', 'copy']);
    await cli(
      [
        'prompt',
        'create',
        'sum',
        '--system',
        'Answer in {{lang}}.',
        '--default',
        'lang=English',
        '-d',
        'Summaries',
        '--tag',
        'docs',
        '-m',
        'llama3.1',
        '--temperature',
        '0.2',
      ],
      'Summarise {{text}} ✂️',
    );
    const exported = await cli(['prompt', 'export', 'sum']);
    writeFileSync(join(home, 'sum.prompt'), exported.stdout);
    expect(exported.stdout).toMatch(/^---\nname: sum\n/);
    expect((await cli(['prompt', 'import', 'sum.prompt', '-p', 'copy'])).code).toBe(0);
    const pick = (text: string) => {
      const { id, project, createdAt, updatedAt, versionCreatedAt, ...rest } = JSON.parse(text);
      return rest;
    };
    const original = pick((await cli(['prompt', 'show', 'sum', '--json'])).stdout);
    const copy = pick((await cli(['prompt', 'show', 'sum', '-p', 'copy', '--json'])).stdout);
    expect(copy).toEqual(original);
    expect(readFileSync(join(home, 'sum.prompt'), 'utf8')).toBe(
      (await cli(['prompt', 'export', 'sum', '-p', 'copy'])).stdout,
    );
  });

  it('labels a version, renders it by its label, and diffs two labels', async () => {
    const { cli } = await setup();
    await cli(['prompt', 'create', 'greet', '--body', 'Hello {{name}}']);
    await cli(['prompt', 'update', 'greet', '--body', 'Hi {{name}}']);
    expect((await cli(['prompt', 'label', 'greet', 'production', '--version', '1'])).code).toBe(0);
    expect((await cli(['prompt', 'label', 'greet', 'staging'])).code).toBe(0);
    const rendered = await cli(['prompt', 'render', 'greet@production', '--var', 'name=Ada']);
    expect(rendered).toMatchObject({ code: 0, stdout: 'Hello Ada', stderr: '' });
    const diff = await cli(['prompt', 'diff', 'greet', 'production', 'staging']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('--- greet@production\n+++ greet@staging');
    expect(diff.stdout).toContain('-Hello {{name}}\n+Hi {{name}}');
    const unknown = await cli(['prompt', 'render', 'greet@canary', '--json']);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).error.message).toBe('Prompt "greet" has no label "canary"');
  });
});
