// Labels and diffs through the commands, in-process, against a real database.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

async function setup(extraEnv: NodeJS.ProcessEnv = {}) {
  const home = tempDir();
  const env = testEnv(home, extraEnv);
  const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  await cli('project', 'use', 'app');
  await cli('prompt', 'create', 'greet', '--body', 'Hello {{name}}');
  await cli('prompt', 'update', 'greet', '--body', 'Good day, {{name}}', '--message', 'formal');
  await cli('prompt', 'update', 'greet', '--body', 'Hi {{name}}!', '--model', 'small-model');
  return { home, cli };
}

const json = (result: { stdout: string }) => JSON.parse(result.stdout);

describe('prompt label', () => {
  it('points, moves, lists and deletes labels; every command takes name@label', async () => {
    const { cli } = await setup();
    const set = await cli('prompt', 'label', 'greet', 'production', '--version', '2');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Label production of greet → v2');
    expect(json(await cli('prompt', 'label', 'greet', 'staging', '--json'))).toEqual({
      prompt: 'greet',
      label: 'staging',
      version: 3,
      previous: null,
    });

    const rendered = await cli('prompt', 'render', 'greet@production', '--var', 'name=Ada');
    expect(rendered.stdout.trim()).toBe('Good day, Ada');
    expect((await cli('prompt', 'render', 'greet@1', '--var', 'name=Ada')).stdout.trim()).toBe(
      'Hello Ada',
    );
    const shown = json(await cli('prompt', 'show', 'greet@production', '--json'));
    expect(shown).toMatchObject({
      version: 2,
      label: 'production',
      labels: [
        { label: 'production', version: 2 },
        { label: 'staging', version: 3 },
      ],
    });
    const exported = await cli('prompt', 'export', 'greet@staging');
    expect(exported.stdout).toContain('Hi {{name}}!');

    await cli('prompt', 'label', 'greet', 'production');
    const listed = json(await cli('prompt', 'label', 'greet', '--list', '--json'));
    expect(listed.labels).toEqual([
      { label: 'production', version: 3 },
      { label: 'staging', version: 3 },
    ]);
    expect(listed.history.map((m: { label: string; version: number }) => m.version)).toEqual([
      2, 3, 3,
    ]);
    const table = await cli('prompt', 'label', 'greet', '--list');
    expect(table.stdout).toMatch(/production\s+│\s+v3/);

    const versions = await cli('prompt', 'versions', 'greet');
    expect(versions.stdout).toMatch(/v3.*production, staging/);

    const deleted = await cli('prompt', 'label', 'greet', 'staging', '--delete');
    expect(deleted.stdout).toContain('Label staging of greet deleted (it pointed at v3)');
    const gone = await cli('prompt', 'show', 'greet@staging');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Prompt "greet" has no label "staging"');
    expect(gone.stderr).toContain('it has versions 1 to 3 and labels production (v3)');
  });

  it('refuses bad input with one line, and changes nothing', async () => {
    const { cli } = await setup();
    const cases: [string[], RegExp, number][] = [
      [['prompt', 'label', 'greet'], /Which label\?/, 2],
      [['prompt', 'label', 'greet', '3'], /Invalid label "3": it would read as a version/, 2],
      [['prompt', 'label', 'greet', 'prod', '--version', '9'], /has no version 9/, 1],
      [['prompt', 'label', 'greet', 'prod', '--delete'], /has no label "prod"/, 1],
      [['prompt', 'label', 'greet', '--list', '--delete'], /cannot be combined/, 2],
      [['prompt', 'label', 'nope', 'prod'], /Prompt "nope" not found/, 1],
      [['prompt', 'show', 'greet@2', '--version', '3'], /name different versions/, 2],
      [['prompt', 'show', 'greet@'], /Invalid prompt reference/, 2],
    ];
    for (const [args, message, code] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    const failed = await cli('prompt', 'label', 'greet', 'prod', '--version', '9', '--json');
    expect(json(failed).error).toMatchObject({ code: 'NOT_FOUND', exitCode: 1 });
    expect(json(await cli('prompt', 'label', 'greet', '--list', '--json'))).toEqual({
      prompt: 'greet',
      labels: [],
      history: [],
    });
  });

  it('runs a labelled version, and a workflow step names one', async () => {
    const server = await modelServer((request) => ({
      content: `echo: ${request.messages.at(-1)?.content}`,
    }));
    const { cli, home } = await setup({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test' });
    await cli('prompt', 'label', 'greet', 'production', '--version', '1');
    const run = json(await cli('prompt', 'run', 'greet@production', '--var', 'name=Ada', '--json'));
    expect(run).toMatchObject({ status: 'success', output: 'echo: Hello Ada' });
    const execution = json(await cli('execution', 'show', run.executionId, '--json'));
    expect(execution).toMatchObject({ prompt: 'greet', promptVersion: 1 });

    const flow = join(home, 'flow.yaml');
    writeFileSync(
      flow,
      'name: hello\nsteps:\n  - id: hi\n    prompt: greet@production\n    vars: { name: Ada }\n',
    );
    const result = json(await cli('workflow', 'run', flow, '--json'));
    expect(result.steps[0].output).toBe('echo: Hello Ada');

    writeFileSync(
      flow,
      'name: hello\nsteps:\n  - id: hi\n    prompt: greet@canary\n    vars: { name: Ada }\n',
    );
    const invalid = await cli('workflow', 'validate', flow);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout + invalid.stderr).toContain(
      'Prompt "greet" has no label "canary" (it has versions 1 to 3 and labels production (v1))',
    );
  });
});

describe('prompt diff', () => {
  it('shows the two latest versions by default, or any two versions or labels', async () => {
    const { cli } = await setup();
    const latest = await cli('prompt', 'diff', 'greet');
    expect(latest.code).toBe(0);
    expect(latest.stdout).toContain('--- greet@2');
    expect(latest.stdout).toContain('+++ greet');
    expect(latest.stdout).toContain('-Good day, {{name}}\n+Hi {{name}}!');
    expect(latest.stdout).toContain('-model: (default)\n+model: small-model');

    await cli('prompt', 'label', 'greet', 'production', '--version', '1');
    const diff = json(await cli('prompt', 'diff', 'greet', 'production', 'v2', '--json'));
    expect(diff).toMatchObject({
      prompt: 'greet',
      changed: true,
      from: { ref: 'greet@production', version: 1, label: 'production' },
      to: { ref: 'greet@2', version: 2, label: null },
    });
    expect(diff.patch).toContain('-Hello {{name}}\n+Good day, {{name}}');

    const same = await cli('prompt', 'diff', 'greet', '3', 'latest');
    expect(same.stdout.trim()).toBe('greet@3 and greet are the same (v3, v3)');
    const missing = await cli('prompt', 'diff', 'greet', 'canary');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no label "canary"');
  });
});
