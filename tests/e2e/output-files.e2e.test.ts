// Files users name are never overwritten or written through a symlink without --overwrite,
// for every command that writes one; with it, a symlink is replaced, its target untouched.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const PLAN = `<analysis_template>Analyse {{featureRequest}}</analysis_template>
<implementation_template>Plan {{featureRequest}} from {{analysisResults}}</implementation_template>
Start.`;

async function setup() {
  const server = await modelServer((body) => {
    const prompt = body.messages.at(-1)?.content ?? '';
    if (prompt.includes('<analysis_template>')) return { content: PLAN };
    if (prompt.startsWith('Analyse')) return { content: 'Complexity: low' };
    if (prompt.startsWith('Plan')) return { content: '1. Edit src/app.ts' };
    return { content: 'answer' };
  });
  const home = tempDir();
  mkdirSync(join(home, 'code'));
  writeFileSync(join(home, 'code', 'README.md'), '# App\n');
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app', '--root', 'code');
  return { server, home, cli };
}

async function plannedSession(cli: (...args: string[]) => Promise<CliResult>): Promise<string> {
  const plan = await cli('orchestrate', 'plan', 'add caching', '--json');
  const id = String(JSON.parse(plan.stdout).sessionId);
  expect((await cli('orchestrate', 'analyze', id)).code).toBe(0);
  return id;
}

function expectRefused(result: CliResult, path: string, what: 'exists' | 'is a symlink'): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`Error: ${path} ${what}; pass --overwrite to replace it\n`);
}

/** No temporary file is left beside the written ones. */
function expectNoTemporary(dir: string): void {
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

describe('files named with -o / --dir are replaced only with --overwrite', () => {
  it('orchestrate implement -o: refused before the model call on a first run, even over a symlink', async () => {
    const { server, home, cli } = await setup();
    const id = await plannedSession(cli);
    writeFileSync(join(home, 'PLAN.md'), 'mine\n');
    const calls = server.requests.length;
    expectRefused(
      await cli('orchestrate', 'implement', id, '-o', 'PLAN.md'),
      join(home, 'PLAN.md'),
      'exists',
    );
    expect(server.requests.length).toBe(calls);
    expect(readFileSync(join(home, 'PLAN.md'), 'utf8')).toBe('mine\n');
    writeFileSync(join(home, 'target.md'), 'secret\n');
    symlinkSync(join(home, 'target.md'), join(home, 'link.md'));
    expectRefused(
      await cli('orchestrate', 'implement', id, '-o', 'link.md'),
      join(home, 'link.md'),
      'is a symlink',
    );
    expect(server.requests.length).toBe(calls);

    expect((await cli('orchestrate', 'implement', id, '-o', 'link.md', '--overwrite')).code).toBe(
      0,
    );
    expect(lstatSync(join(home, 'link.md')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(home, 'link.md'), 'utf8')).toBe('1. Edit src/app.ts\n');
    expect(readFileSync(join(home, 'target.md'), 'utf8')).toBe('secret\n');
    expectNoTemporary(home);
  });

  it('orchestrate export --dir: refuses an existing plan.md, a symlinked session.json and a symlinked folder', async () => {
    const { home, cli } = await setup();
    const id = await plannedSession(cli);
    const out = join(home, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'plan.md'), 'mine\n');
    expectRefused(
      await cli('orchestrate', 'export', id, '--dir', 'out'),
      join(out, 'plan.md'),
      'exists',
    );
    expect(readFileSync(join(out, 'plan.md'), 'utf8')).toBe('mine\n');
    expect(readdirSync(out)).toEqual(['plan.md']);

    const fresh = join(home, 'fresh');
    mkdirSync(fresh);
    writeFileSync(join(home, 'secret.json'), '{"kept": true}\n');
    symlinkSync(join(home, 'secret.json'), join(fresh, 'session.json'));
    expectRefused(
      await cli('orchestrate', 'export', id, '--dir', 'fresh'),
      join(fresh, 'session.json'),
      'is a symlink',
    );
    expect(readdirSync(fresh)).toEqual(['session.json']);

    mkdirSync(join(home, 'elsewhere'));
    symlinkSync(join(home, 'elsewhere'), join(home, 'linked'));
    expectRefused(
      await cli('orchestrate', 'export', id, '--dir', 'linked'),
      join(home, 'linked'),
      'is a symlink',
    );
    expect(readdirSync(join(home, 'elsewhere'))).toEqual([]);

    expect((await cli('orchestrate', 'export', id, '--dir', 'fresh', '--overwrite')).code).toBe(0);
    expect(lstatSync(join(fresh, 'session.json')).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(join(fresh, 'session.json'), 'utf8'))).toMatchObject({
      status: 'implementation',
    });
    expect(readFileSync(join(home, 'secret.json'), 'utf8')).toBe('{"kept": true}\n');
    expect((await cli('orchestrate', 'export', id, '--dir', 'out', '--overwrite')).code).toBe(0);
    expect(readFileSync(join(out, 'plan.md'), 'utf8')).not.toBe('mine\n');
    expectNoTemporary(out);
  });

  it('execution export -o: refuses an existing file, replaces it with --overwrite', async () => {
    const { home, cli } = await setup();
    await cli('prompt', 'create', 'p', '--body', 'hi');
    await cli('prompt', 'run', 'p');
    writeFileSync(join(home, 'runs.jsonl'), 'mine\n');
    expectRefused(
      await cli('execution', 'export', '-o', 'runs.jsonl'),
      join(home, 'runs.jsonl'),
      'exists',
    );
    expect(readFileSync(join(home, 'runs.jsonl'), 'utf8')).toBe('mine\n');
    expect((await cli('execution', 'export', '-o', 'runs.jsonl', '--overwrite')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'runs.jsonl'), 'utf8'))).toMatchObject({
      response: 'answer',
    });
    expectNoTemporary(home);
  });

  it('prompt export -o: refuses a dangling symlink; --force is the same as --overwrite', async () => {
    const { home, cli } = await setup();
    await cli('prompt', 'create', 'p', '--body', 'hi');
    symlinkSync(join(home, 'nowhere.prompt'), join(home, 'p.prompt'));
    expectRefused(
      await cli('prompt', 'export', 'p', '-o', 'p.prompt'),
      join(home, 'p.prompt'),
      'is a symlink',
    );
    expect(existsSync(join(home, 'nowhere.prompt'))).toBe(false);
    expect((await cli('prompt', 'export', 'p', '-o', 'p.prompt', '--force')).code).toBe(0);
    expect(lstatSync(join(home, 'p.prompt')).isSymbolicLink()).toBe(false);
    expect(existsSync(join(home, 'nowhere.prompt'))).toBe(false);
    expect(readFileSync(join(home, 'p.prompt'), 'utf8')).toContain('hi');
    writeFileSync(join(home, 'q.prompt'), 'mine');
    expectRefused(
      await cli('prompt', 'export', 'p', '-o', 'q.prompt'),
      join(home, 'q.prompt'),
      'exists',
    );
    expect((await cli('prompt', 'export', 'p', '-o', 'q.prompt', '--overwrite')).code).toBe(0);
  });
});
