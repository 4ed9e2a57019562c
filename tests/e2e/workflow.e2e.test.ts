// Workflows through the built binary: validation output, runs, Ctrl-C, SIGKILL and resume.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const CHAIN = `name: chain
inputs:
  topic: { type: string, required: true }
steps:
  - id: first
    template: "FIRST {{inputs.topic}}"
  - id: second
    template: "SECOND {{steps.first.output}}"
  - id: third
    template: "THIRD {{steps.second.output}}"
outputs:
  final: "{{steps.third.output}}"
`;

async function setup(delayFor: (word: string) => number = () => 0) {
  const server = await modelServer(async (body) => {
    const word = body.messages.at(-1)?.content.split(' ')[0] ?? '';
    await new Promise((resolve) => setTimeout(resolve, delayFor(word)));
    return { content: `${word.toLowerCase()} done` };
  });
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  writeFileSync(join(home, 'chain.yaml'), CHAIN);
  return { server, home, env, cli };
}

/** Starts a run and resolves once the model has been asked for `word`. */
function startRun(
  env: NodeJS.ProcessEnv,
  home: string,
  server: Awaited<ReturnType<typeof modelServer>>,
  word: string,
) {
  const child = spawn(
    process.execPath,
    [BIN, 'workflow', 'run', 'chain', '--input', 'topic=cats', '--json'],
    {
      env,
      cwd: home,
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  const asked = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (server.requests.some((r) => r.body.messages.at(-1)?.content.startsWith(word))) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  return { child, closed, asked, stdout: () => stdout };
}

describe('prompt-runner workflow (built binary)', () => {
  it('validates a file, listing every problem with its line, exit 2', async () => {
    const { cli, home } = await setup();
    writeFileSync(
      join(home, 'bad.yaml'),
      'name: bad\nsteps:\n  - id: a\n    template: "{{steps.zzz.output}}"\n  - id: a\n    template: x\n',
    );
    const result = await cli('workflow', 'validate', 'bad.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Error: bad.yaml:5 steps[1].id: duplicate step id "a"');
    expect(result.stderr).toContain(
      'Error: bad.yaml:4 steps[0].template: "steps.zzz.output" refers to no step "zzz"',
    );
    expect(result.stderr).toContain('Error: The workflow has 2 problems');
    const good = JSON.parse((await cli('workflow', 'validate', 'chain.yaml', '--json')).stdout);
    expect(good).toEqual({ valid: true, problems: [], steps: ['first', 'second', 'third'] });
  });

  it('stores, runs and reports a workflow with the SPEC JSON shape', async () => {
    const { cli } = await setup();
    expect((await cli('workflow', 'create', 'chain', '--file', 'chain.yaml')).code).toBe(0);
    const run = await cli('workflow', 'run', 'chain', '--input', 'topic=cats', '--json');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ status: 'succeeded', outputs: { final: 'third done' } });
    expect(summary.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ['first', 'succeeded'],
      ['second', 'succeeded'],
      ['third', 'succeeded'],
    ]);
    const status = JSON.parse(
      (await cli('workflow', 'status', summary.runId.slice(0, 8), '--json')).stdout,
    );
    expect(status.steps[0]).toMatchObject({ id: 'first', output: 'first done', inputTokens: 2 });
    const list = JSON.parse((await cli('workflow', 'list', '--json')).stdout);
    expect(list).toMatchObject([{ name: 'chain', version: 1, runs: 1 }]);
    const missing = await cli('workflow', 'run', 'chain');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Missing input: topic/);
  });

  it('runs a file with its inputs read from a YAML file; a mistyped path is named', async () => {
    const { cli, home } = await setup();
    writeFileSync(join(home, 'inputs.yaml'), 'topic: dogs\n');
    const run = await cli(
      'workflow',
      'run',
      'chain.yaml',
      '--inputs-file',
      'inputs.yaml',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded' });
    const typo = await cli('workflow', 'run', 'chian.yaml', '--input', 'topic=x');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(
      'Error: No file chian.yaml, and no stored workflow of that name in project "app"\n',
    );
    const badInputs = await cli('workflow', 'run', 'chain.yaml', '--inputs-file', 'chain.yaml');
    expect(badInputs.code).toBe(2);
    expect(badInputs.stderr).toMatch(/^Error: Unknown inputs: name, inputs, steps, outputs/);
  });

  it('marks a run cancelled on Ctrl-C, and resume finishes it', async () => {
    const { cli, env, home, server } = await setup((word) => (word === 'SECOND' ? 800 : 0));
    await cli('workflow', 'create', 'chain', '--file', 'chain.yaml');
    const run = startRun(env, home, server, 'SECOND');
    await run.asked;
    run.child.kill('SIGINT');
    expect(await run.closed).toBe(130);
    const summary = JSON.parse(run.stdout());
    expect(summary.status).toBe('cancelled');
    expect(summary.steps.map((s: { status: string }) => s.status)).toEqual([
      'succeeded',
      'cancelled',
      'pending',
    ]);

    const resumed = await cli('workflow', 'resume', summary.runId, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      status: 'succeeded',
      outputs: { final: 'third done' },
    });
    const firsts = server.requests.filter((r) =>
      r.body.messages.at(-1)?.content.startsWith('FIRST'),
    );
    expect(firsts).toHaveLength(1);
  });

  it('shows a run killed with SIGKILL as interrupted, and resume completes it', async () => {
    const { cli, env, home, server } = await setup((word) => (word === 'SECOND' ? 5000 : 0));
    await cli('workflow', 'create', 'chain', '--file', 'chain.yaml');
    const run = startRun(env, home, server, 'SECOND');
    await run.asked;
    run.child.kill('SIGKILL');
    await run.closed;
    const [runRow] = JSON.parse((await cli('workflow', 'runs', '--json')).stdout);
    expect(runRow.status).toBe('interrupted');
    const status = await cli('workflow', 'status', runRow.runId.slice(0, 8));
    expect(status.stdout).toMatch(/Status\s+interrupted/);
    expect(status.stdout).toContain(`prompt-runner workflow resume ${runRow.runId.slice(0, 8)}`);

    server.setReply((body) => ({
      content: `${body.messages.at(-1)?.content.split(' ')[0]?.toLowerCase()} done`,
    }));
    const resumed = await cli('workflow', 'resume', runRow.runId.slice(0, 8), '--json');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'succeeded' });
    const firsts = server.requests.filter((r) =>
      r.body.messages.at(-1)?.content.startsWith('FIRST'),
    );
    expect(firsts).toHaveLength(1);
    const again = await cli('workflow', 'resume', runRow.runId.slice(0, 8));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already succeeded: nothing to do');
  });
});
