// Runs and sessions found by their id alone, a resume that cannot start nothing, and retries
// and resumes that never take a failed step's answer back from the cache.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const JSON_STEP = `name: extract
steps:
  - id: data
    template: "JSON please"
    output: json
    retry: { attempts: 3, backoffMs: 1 }
outputs:
  title: "{{steps.data.output.title}}"
`;

const CHAIN = `name: chain
steps:
  - id: first
    template: "FIRST"
  - id: second
    template: "SECOND {{steps.first.output}}"
`;

interface StepRow {
  id: string;
  status: string;
}

/** A home with project `app` created, and a CLI that selects no project unless told. */
async function setup(reply: Parameters<typeof modelServer>[0], select = false) {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, {
    OPENAI_BASE_URL: server.url,
    ...(select ? { PROMPT_RUNNER_PROJECT: 'app' } : {}),
  });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  mkdirSync(join(home, 'code'), { recursive: true });
  writeFileSync(join(home, 'code', 'README.md'), '# App\n');
  expect((await cli('project', 'create', 'app', '--root', 'code')).code).toBe(0);
  writeFileSync(join(home, 'extract.yaml'), JSON_STEP);
  writeFileSync(join(home, 'chain.yaml'), CHAIN);
  return { server, home, cli };
}

type Cli = (...args: string[]) => ReturnType<typeof runBinary>;

/** The newest run of project app. */
async function lastRun(cli: Cli): Promise<{ runId: string; status: string; steps: StepRow[] }> {
  const runs = JSON.parse((await cli('workflow', 'runs', '-p', 'app', '--json')).stdout);
  return runs[0];
}

/** A run of chain.yaml in project app whose second step failed. */
async function failedChain(cli: Cli) {
  const run = await cli('workflow', 'run', 'chain.yaml', '-p', 'app');
  expect(run.code).toBe(1);
  const summary = await lastRun(cli);
  expect(summary.steps.map((s) => s.status)).toEqual(['succeeded', 'failed']);
  return summary.runId;
}

describe('workflow retries and resume never replay a cached bad answer', () => {
  it('a json step retried 3 times asks the model 3 times; no attempt is cached', async () => {
    const { server, cli } = await setup(() => ({ content: 'not json at all' }));
    // The same call once before, so a cache that kept the bad answer would serve it.
    const first = await cli('workflow', 'run', 'extract.yaml', '-p', 'app');
    expect(first.code).toBe(1);
    expect(server.requests).toHaveLength(3);
    const run = await cli('workflow', 'run', 'extract.yaml', '-p', 'app');
    expect(run.code).toBe(1);
    expect(server.requests).toHaveLength(6);
    const { runId, status } = await lastRun(cli);
    expect(status).toBe('failed');
    const executions = JSON.parse(
      (await cli('execution', 'list', '-p', 'app', '--json', '-n', '50')).stdout,
    ) as { cached?: boolean; cacheHit?: boolean }[];
    expect(executions).toHaveLength(6);
    expect(executions.some((e) => e.cached === true || e.cacheHit === true)).toBe(false);

    // Resume after the failure makes a real call, and a good answer now finishes the run.
    server.setReply(() => ({ content: '{"title": "T"}' }));
    const resumed = await cli('workflow', 'resume', runId.slice(0, 8), '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      status: 'succeeded',
      outputs: { title: 'T' },
    });
    expect(server.requests).toHaveLength(7);
  });

  it('workflow resume takes --no-cache like run', async () => {
    let failSecond = true;
    const { server, cli } = await setup((body) => {
      const text = body.messages.at(-1)?.content ?? '';
      if (text.startsWith('SECOND') && failSecond) return { status: 400, message: 'bad' };
      return { content: `${text.split(' ')[0]?.toLowerCase()} done` };
    });
    const runId = await failedChain(cli);
    const before = server.requests.length;
    failSecond = false;
    const resumed = await cli('workflow', 'resume', runId.slice(0, 8), '--no-cache', '--json');
    expect(resumed.code).toBe(0);
    expect(server.requests.length).toBe(before + 1);
  });
});

describe('workflow resume --concurrency is checked like run', () => {
  it('resume --concurrency 0 exits 2 and leaves the failed run as it was', async () => {
    let failSecond = true;
    const { server, cli } = await setup((body) => {
      const text = body.messages.at(-1)?.content ?? '';
      if (text.startsWith('SECOND') && failSecond) return { status: 400, message: 'bad' };
      return { content: 'ok' };
    });
    const runId = await failedChain(cli);
    failSecond = false;
    const before = server.requests.length;
    const resumed = await cli('workflow', 'resume', runId.slice(0, 8), '--concurrency', '0');
    expect(resumed.code).toBe(2);
    expect(resumed.stderr.trim().split('\n')).toHaveLength(1);
    expect(resumed.stderr).toMatch(/Invalid --concurrency "0"/);
    expect(server.requests.length).toBe(before);
    const status = JSON.parse((await cli('workflow', 'status', runId, '--json')).stdout) as {
      status: string;
      steps: StepRow[];
    };
    expect(status.status).toBe('failed');
    expect(status.steps.map((s) => s.status)).toEqual(['succeeded', 'failed']);
  });
});

describe('commands given a run or session id work with no project selected', () => {
  it('workflow resume and status find the run by its id alone; a wrong -p is refused', async () => {
    let failSecond = true;
    const { cli } = await setup((body) => {
      const text = body.messages.at(-1)?.content ?? '';
      if (text.startsWith('SECOND') && failSecond) return { status: 400, message: 'bad' };
      return { content: 'ok' };
    });
    expect((await cli('project', 'create', 'other')).code).toBe(0);
    const runId = await failedChain(cli);
    failSecond = false;
    const status = await cli('workflow', 'status', runId.slice(0, 8), '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'failed' });
    const wrong = await cli('workflow', 'resume', runId.slice(0, 8), '-p', 'other');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('belongs to project "app", not "other"');
    const empty = await cli('workflow', 'resume', runId.slice(0, 8), '-p', '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('-p/--project needs a project name');
    const resumed = await cli('workflow', 'resume', runId.slice(0, 8), '--json');
    expect(resumed.stderr).not.toContain('No project selected');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'succeeded' });
  });

  it('orchestrate plan --session, analyze, show, implement, export and delete take the id alone', async () => {
    const PLAN = `<analysis_template>Analyse {{featureRequest}}:\n{{codebaseContext}}</analysis_template>
<implementation_template>Plan {{featureRequest}} from {{analysisResults}}</implementation_template>`;
    let planOk = false;
    const { cli, home } = await setup((body) => {
      const prompt = body.messages.at(-1)?.content ?? '';
      if (prompt.includes('<analysis_template>'))
        return { content: planOk ? PLAN : 'no templates' };
      if (prompt.startsWith('Analyse')) return { content: 'Complexity: low' };
      return { content: '1. Edit README.md' };
    });
    const failed = await cli('orchestrate', 'plan', 'add caching', '-p', 'app');
    expect(failed.code).toBe(1);
    const sessions = JSON.parse(
      (await cli('orchestrate', 'list-sessions', '-p', 'app', '--json')).stdout,
    ) as { sessionId: string }[];
    const sessionId = String(sessions[0]?.sessionId);
    const id = sessionId.slice(0, 8);
    planOk = true;
    const plan = await cli('orchestrate', 'plan', '--session', id, '--json');
    expect(plan.stderr).not.toContain('No project selected');
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ sessionId, status: 'analysis' });
    const analyze = await cli('orchestrate', 'analyze', id, '--json');
    expect(analyze.code).toBe(0);
    expect(JSON.parse(analyze.stdout)).toMatchObject({ status: 'implementation' });
    const show = await cli('orchestrate', 'show', id, '--json');
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ sessionId });
    const implement = await cli('orchestrate', 'implement', id, '--json');
    expect(implement.code).toBe(0);
    expect(JSON.parse(implement.stdout)).toMatchObject({ status: 'completed' });
    const executions = JSON.parse(
      (await cli('execution', 'list', '-p', 'app', '--json')).stdout,
    ) as { id: string }[];
    const execution = await cli('execution', 'show', String(executions[0]?.id).slice(0, 8));
    expect(execution.code).toBe(0);
    expect((await cli('orchestrate', 'export', id, '--dir', join(home, 'out'))).code).toBe(0);
    expect((await cli('orchestrate', 'delete', id, '--yes')).code).toBe(0);
  });
});
