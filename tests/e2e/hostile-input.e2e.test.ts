// Hostile input through the built binary: each is one line on stderr, exit 2, no stack.
import { writeFileSync } from 'node:fs';
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

// The classic "billion laughs": each level doubles the aliases of the one before.
const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
].join('\n');

function expectOneLineRefusal(result: { code: number; stderr: string }, text: string): void {
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(text);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/this is a bug|\n\s+at /);
}

describe('a YAML alias bomb is a one-line validation error in every command that reads YAML', () => {
  it('is refused in --vars-file, --inputs-file, a workflow file and .prompt front matter', async () => {
    const { cli, home } = await setup();
    writeFileSync(join(home, 'bomb.yaml'), `${ALIAS_BOMB}\n`);
    await cli(['prompt', 'create', 'greet', '--body', 'Hi {{name}}']);

    const vars = await cli(['prompt', 'render', 'greet', '--vars-file', 'bomb.yaml']);
    expectOneLineRefusal(vars, 'Error: Vars file bomb.yaml expands too many YAML aliases');

    const workflow = await cli(['workflow', 'validate', 'bomb.yaml']);
    expect(workflow.code).toBe(2);
    expect(workflow.stderr + workflow.stdout).toContain('expands too many YAML aliases');
    expect(workflow.stderr).not.toMatch(/this is a bug|\n\s+at /);

    writeFileSync(
      join(home, 'flow.yaml'),
      'name: flow\nsteps:\n  - id: one\n    prompt: greet\n    vars:\n      name: "{{inputs.name}}"\n',
    );
    const inputs = await cli(['workflow', 'run', 'flow.yaml', '--inputs-file', 'bomb.yaml']);
    expectOneLineRefusal(inputs, 'Inputs file bomb.yaml expands too many YAML aliases');

    writeFileSync(join(home, 'bomb.prompt'), `---\n${ALIAS_BOMB}\n---\nHello\n`);
    const imported = await cli(['prompt', 'import', 'bomb.prompt']);
    expectOneLineRefusal(imported, 'bomb.prompt: front matter expands too many YAML aliases');
  });
});

describe('the indent helper takes a count from 0 to 100', () => {
  it('refuses {{indent x 1000000000}} and {{indent x -5}} with a template error', async () => {
    const { cli } = await setup();
    for (const count of ['1000000000', '-5']) {
      const name = `wide${count.replace('-', 'm')}`;
      expect((await cli(['prompt', 'create', name, '--body', `{{indent x ${count}}}`])).code).toBe(
        0,
      );
      const rendered = await cli(['prompt', 'render', name, '--var', 'x=a']);
      expectOneLineRefusal(
        rendered,
        `Error: Template helper indent: the count must be a whole number from 0 to 100 (got ${count})`,
      );
    }
    await cli(['prompt', 'create', 'edge', '--body', '{{indent x 100}}|{{indent x 0}}']);
    const edge = await cli(['prompt', 'render', 'edge', '--var', 'x=a']);
    expect(edge).toMatchObject({ code: 0, stdout: `${' '.repeat(100)}a|a` });
  });
});

describe('an empty --tag is refused', () => {
  it('exits 2 on prompt create and prompt update --tag ""', async () => {
    const { cli } = await setup();
    const created = await cli(['prompt', 'create', 'p', '--body', 'x', '--tag', '']);
    expectOneLineRefusal(created, 'a tag cannot be empty');
    expect((await cli(['prompt', 'create', 'p', '--body', 'x', '--tag', 'ok'])).code).toBe(0);
    const updated = await cli(['prompt', 'update', 'p', '--tag', '  ']);
    expectOneLineRefusal(updated, 'a tag cannot be empty');
  });
});
