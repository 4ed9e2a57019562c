// Workflow commands in-process, against a real database and the local model server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const FLOW = `name: flow
description: Two steps
inputs:
  topic: { type: string, default: cats }
steps:
  - id: ask
    prompt: asker
    vars: { subject: "{{inputs.topic}}" }
  - id: sum
    template: "SUM {{steps.ask.output}}"
    system: "Be brief about {{inputs.topic}}"
outputs:
  answer: "{{steps.sum.output}}"
`;

async function setup() {
  const server = await modelServer((body) => ({
    content: body.messages.at(-1)?.content.startsWith('FAIL')
      ? ''
      : `re: ${body.messages.at(-1)?.content}`,
    ...(body.messages.at(-1)?.content.startsWith('FAIL') ? { status: 500 } : {}),
  }));
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url });
  const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  await cli('project', 'use', 'app');
  await cli('prompt', 'create', 'asker', '--body', 'ASK about {{subject}}');
  writeFileSync(join(home, 'flow.yaml'), FLOW);
  return { server, home, cli };
}

const json = (result: { stdout: string }) => JSON.parse(result.stdout);

describe('workflow commands', () => {
  it('create, list, show, run, runs, status, update, delete', async () => {
    const { cli, server, home } = await setup();
    expect((await cli('workflow', 'create', 'flow', '--file', 'flow.yaml')).stdout).toContain(
      '✓ Created workflow flow (version 1)',
    );
    expect((await cli('workflow', 'create', 'flow', '--file', 'flow.yaml')).code).toBe(1);
    expect((await cli('workflow', 'list')).stdout).toMatch(/│ flow\s+│ 1\s+│ 0\s+│ Two steps/);
    expect((await cli('workflow', 'show', 'flow')).stdout).toContain('prompt: asker');

    const run = await cli('workflow', 'run', 'flow');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('re: SUM re: ASK about cats\n');
    expect(run.stderr).toMatch(/✓ ask\s+succeeded/);
    expect(run.stderr).toMatch(/Run [0-9a-f]{8} succeeded: 2 of 2 steps succeeded/);
    expect(server.requests[1]?.body.messages[0]).toEqual({
      role: 'system',
      content: 'Be brief about cats',
    });

    const runs = json(await cli('workflow', 'runs', '--json'));
    expect(runs).toMatchObject([{ workflow: 'flow', status: 'succeeded', workflowVersion: 1 }]);
    const status = await cli('workflow', 'status', runs[0].runId.slice(0, 8));
    expect(status.stdout).toMatch(/│ ask\s+│ succeeded │ 1\s+│ re: ASK about cats/);
    expect((await cli('workflow', 'runs')).stdout).toMatch(/│ flow\s+│ succeeded │ 2\/2/);
    expect((await cli('workflow', 'runs', '--workflow', 'other')).stdout).toBe(
      'No runs of a workflow named "other"\n',
    );

    writeFileSync(join(home, 'flow.yaml'), FLOW.replace('Two steps', 'Still two steps'));
    const updated = json(await cli('workflow', 'update', 'flow', '--file', 'flow.yaml', '--json'));
    expect(updated).toMatchObject({ version: 2, description: 'Still two steps' });

    expect((await cli('workflow', 'delete', 'flow')).code).toBe(2);
    expect((await cli('workflow', 'delete', 'flow', '--yes')).stdout).toContain(
      'Deleted workflow flow (1 run)',
    );
    expect((await cli('workflow', 'list')).stdout).toContain('No workflows yet');
  });

  it('runs a file, and with --dry-run renders what it can without calling a model', async () => {
    const { cli, server } = await setup();
    const dry = json(
      await cli('workflow', 'run', 'flow.yaml', '--dry-run', '--input', 'topic=dogs', '--json'),
    );
    expect(dry.steps).toEqual([
      { id: 'ask', needs: [], prompt: 'asker', messages: null },
      { id: 'sum', needs: ['ask'], messages: null },
    ]);
    expect(server.requests).toHaveLength(0);
    const human = await cli('workflow', 'run', 'flow.yaml', '--dry-run');
    expect(human.stdout).toContain('(needs the output of ask)');
    const real = json(await cli('workflow', 'run', 'flow.yaml', '--input', 'topic=dogs', '--json'));
    expect(real).toMatchObject({
      status: 'succeeded',
      outputs: { answer: 're: SUM re: ASK about dogs' },
    });
  });

  it('fails a run whose step fails, exit 1, naming the step and the way to resume', async () => {
    const { cli, home } = await setup();
    writeFileSync(
      join(home, 'fail.yaml'),
      'name: fail\nsteps:\n  - id: boom\n    template: "FAIL now"\n',
    );
    const result = await cli('workflow', 'run', 'fail.yaml', '--json');
    expect(result.code).toBe(1);
    expect(json(result)).toMatchObject({
      status: 'failed',
      steps: [{ id: 'boom', status: 'failed' }],
    });
    expect(result.stderr).toMatch(/Error: Run [0-9a-f]{8} failed: step "boom" failed: .*500/);
    expect(result.stderr).toMatch(/workflow resume [0-9a-f]{8}/);
  });

  it('refuses to run without an API key for a remote endpoint, recording no run', async () => {
    const home = tempDir();
    const env = testEnv(home, { OPENAI_BASE_URL: 'https://api.example.com/v1' });
    const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
    await cli('project', 'create', 'app');
    writeFileSync(join(home, 'w.yaml'), 'name: w\nsteps:\n  - id: a\n    template: hi\n');
    const result = await cli('workflow', 'run', 'w.yaml', '-p', 'app');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No API key for api.example.com: set OPENAI_API_KEY/);
    expect(json(await cli('workflow', 'runs', '-p', 'app', '--json'))).toEqual([]);
  });

  it('refuses bad files and ids with clear errors', async () => {
    const { cli, home } = await setup();
    writeFileSync(
      join(home, 'cycle.yaml'),
      'name: c\nsteps:\n  - id: a\n    depends_on: [b]\n    template: x\n  - id: b\n    depends_on: [a]\n    template: y\n',
    );
    const cycle = await cli('workflow', 'run', 'cycle.yaml');
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toMatch(/dependency cycle: (a → b → a|b → a → b)/);
    expect((await cli('workflow', 'create', 'c', '--file', 'cycle.yaml')).stderr).toMatch(
      /The workflow has 1 problem/,
    );
    expect((await cli('workflow', 'validate', 'nope.yaml')).stderr).toMatch(
      /Cannot read workflow file nope.yaml/,
    );
    expect((await cli('workflow', 'status', 'abc')).stderr).toMatch(/at least 4 characters/);
    expect((await cli('workflow', 'status', 'ffffffff')).code).toBe(1);
    expect((await cli('workflow', 'run', 'ghost')).stderr).toMatch(
      /Workflow "ghost" not found in project "app"/,
    );
    expect((await cli('workflow', 'show', 'ghost')).code).toBe(1);
  });
});
