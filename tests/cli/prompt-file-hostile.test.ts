// `.prompt` files, history, context data and media given by a careless user or an attacker:
// one clear line, the right exit code, nothing imported, nothing sent.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

async function setup() {
  const server = await modelServer();
  const home = tempDir();
  const root = join(home, 'code');
  mkdirSync(root);
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-0123456789' });
  const cli = (args: string[]) => runInProcess(args, { env, cwd: home });
  await cli(['project', 'create', 'app', '--root', root]);
  await cli(['project', 'use', 'app']);
  const write = (name: string, text: string | Buffer) => {
    mkdirSync(join(home, name, '..'), { recursive: true });
    writeFileSync(join(home, name), text);
  };
  const names = async () =>
    JSON.parse((await cli(['prompt', 'list', '--json'])).stdout).map(
      (p: { name: string }) => p.name,
    );
  return { server, home, root, cli, write, names };
}

describe('.prompt files that cannot be used are refused when imported', () => {
  it('refuses YAML that contains itself, in front matter and in a vars file', async () => {
    const { cli, write, names, server } = await setup();
    write('loop.prompt', '---\nfoo: &a [*a]\n---\nHi\n');
    const imported = await cli(['prompt', 'import', 'loop.prompt']);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain('YAML anchor used inside itself');
    expect(await names()).toEqual([]);
    await cli(['prompt', 'create', 'say', '--body', 'Say {{x}}']);
    write('vars.yaml', 'x: &a [*a]\n');
    const run = await cli(['prompt', 'run', 'say', '--vars-file', 'vars.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses unusable schemas, formats and defaults, and keeps a named schema', async () => {
    const { cli, write, names } = await setup();
    const cases: [string, string][] = [
      ['input:\n  schema: {a: strng}', "unsupported scalar type 'strng'"],
      ['output:\n  schema: 5', 'Picoschema'],
      ['output:\n  format: xml', 'output.format "xml" is not supported'],
      [
        'input:\n  schema: {n: integer}\n  default: {n: abc}',
        'input.default: Input "n" must be integer',
      ],
    ];
    for (const [front, reason] of cases) {
      write('bad.prompt', `---\n${front}\n---\nHi {{n}}\n`);
      const result = await cli(['prompt', 'import', 'bad.prompt']);
      expect(result.code, front).toBe(2);
      expect(result.stderr, front).toContain(reason);
    }
    expect(await names()).toEqual([]);
    // `schema: Recipe` names a schema Genkit registers in code: the file imports.
    write('named.prompt', '---\noutput:\n  schema: Recipe\n---\nHi\n');
    expect((await cli(['prompt', 'import', 'named.prompt'])).code).toBe(0);
  });

  it('reads a BOM and CRLF file as an LF one, and an export imports back unchanged', async () => {
    const { cli, write } = await setup();
    write('crlf.prompt', '\uFEFF---\r\nmodel: m1\r\n---\r\nHello {{name}}\r\nline 2\r\n');
    write('plain.prompt', 'Plain {{x}}\n');
    expect((await cli(['prompt', 'import', 'crlf.prompt'])).code).toBe(0);
    expect((await cli(['prompt', 'import', 'plain.prompt'])).code).toBe(0);
    const shown = JSON.parse((await cli(['prompt', 'show', 'crlf', '--json'])).stdout);
    expect(shown).toMatchObject({ body: 'Hello {{name}}\nline 2', model: 'm1' });
    for (const name of ['crlf', 'plain']) {
      const exported = await cli(['prompt', 'export', name]);
      write(`${name}.prompt`, exported.stdout);
      const again = JSON.parse(
        (await cli(['prompt', 'import', `${name}.prompt`, '--json'])).stdout,
      );
      expect(again[0].status, name).toBe('unchanged');
    }
    // A prompt with nothing but its name is exported as its body alone, as Dotprompt writes it.
    expect((await cli(['prompt', 'export', 'plain'])).stdout).toBe('Plain {{x}}\n');
  });

  it('does not follow links in an imported folder', async () => {
    const { cli, write, home, names } = await setup();
    write('lib/sub/a.prompt', 'A\n');
    symlinkSync('..', join(home, 'lib/sub/up'));
    symlinkSync('/etc/hostname', join(home, 'lib/host.prompt'));
    const result = await cli(['prompt', 'import', 'lib']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'lib/host.prompt is a link: a folder import does not follow links',
    );
    expect(await names()).toEqual(['sub/a']);
    expect(readdirSync(join(home, 'lib/sub'))).toContain('up');
  });
});

describe('render inputs given by the user', () => {
  it('renders an input the schema makes optional as nothing, and refuses bad numbers', async () => {
    const { cli, write } = await setup();
    write(
      'typed.prompt',
      '---\ninput:\n  schema: {n: integer, f?: number}\n---\nn={{n}} f={{f}}\n',
    );
    await cli(['prompt', 'import', 'typed.prompt']);
    expect((await cli(['prompt', 'render', 'typed', '--var', 'n=1'])).stdout).toBe('n=1 f=');
    for (const bad of ['0x10', '99999999999999999999', '']) {
      const result = await cli(['prompt', 'render', 'typed', '--var', `n=${bad}`]);
      expect(result.code, bad).toBe(2);
      expect(result.stderr, bad).toContain('Input "n" must be integer');
    }
  });

  it('refuses context data that would replace @root, and a history file too large', async () => {
    const { cli, write } = await setup();
    await cli(['prompt', 'create', 'ctx', '--body', 'Hi {{@state.who}}']);
    write('ctx.yaml', 'root: {}\nstate: {who: Ada}\n');
    const reserved = await cli(['prompt', 'render', 'ctx', '--context-data', 'ctx.yaml']);
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain('Context data cannot set @root');
    write('big.jsonl', Buffer.alloc(21 * 1024 * 1024, 0x20));
    const big = await cli(['prompt', 'render', 'ctx', '--history', 'big.jsonl']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('a history is read up to 20 MB');
  });

  it('keeps a media URL whole, and refuses env templates and keys anywhere in a file', async () => {
    const { cli, write, root, server } = await setup();
    write('look.prompt', '{{media url=u contentType="text/plain"}}');
    await cli(['prompt', 'import', 'look.prompt']);
    writeFileSync(join(root, 'my notes.txt'), 'notes');
    const spaced = await cli(['prompt', 'run', 'look', '--var', 'u=my notes.txt']);
    expect(spaced.code).toBe(0);
    const sent = server.requests[0]?.body.messages as unknown as { content: { file: unknown }[] }[];
    expect(sent[0]?.content[0]?.file).toEqual({
      file_data: `data:text/plain;base64,${Buffer.from('notes').toString('base64')}`,
      filename: 'file.txt',
    });
    const injected = await cli([
      'prompt',
      'render',
      'look',
      '--json',
      '--var',
      'u=a b image/png>>>x',
    ]);
    expect(JSON.parse(injected.stdout).messages[0].content).toEqual([
      { media: { url: 'a b image/png>>>x', contentType: 'text/plain' } },
    ]);
    writeFileSync(join(root, '.env.example'), 'DB_PASSWORD=real\n');
    const key = `${'a'.repeat(10_000)}\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nx\n`;
    writeFileSync(join(root, 'late.txt'), key);
    for (const [file, reason] of [
      ['.env.example', 'may hold secrets'],
      ['late.txt', 'holds a private key'],
    ]) {
      const refused = await cli(['prompt', 'run', 'look', '--var', `u=${file}`]);
      expect(refused.code, file).toBe(2);
      expect(refused.stderr, file).toContain(reason);
    }
    expect(server.requests).toHaveLength(1);
  });
});

describe('workflow history', () => {
  it('is refused on a template step, and checked when written as messages', async () => {
    const { cli, write } = await setup();
    write(
      'flow.yaml',
      [
        'name: flow',
        'steps:',
        '  - id: a',
        '    template: Hi',
        '    history: [{role: user, content: x}]',
        '  - id: b',
        '    prompt: nothing',
        '    history: [{role: wizard, content: x}]',
      ].join('\n'),
    );
    const result = await cli(['workflow', 'validate', 'flow.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('history is for a stored prompt (prompt:)');
    expect(result.stderr).toContain('role must be one of');
  });
});
