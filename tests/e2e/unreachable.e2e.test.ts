// A run against an endpoint that cannot be reached fails at once instead of trying every call.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

/** A home whose base URL is a 127.0.0.1 port nobody listens on any more. */
async function closedPortHome() {
  const server = await modelServer();
  await server.close();
  const home = tempDir();
  const env = testEnv(home, {
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'sk-test',
    PROMPT_RUNNER_PROJECT: 'app',
  });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  const executions = () => {
    const db = new BetterSqlite3(join(home, 'prompt-runner.db'), { readonly: true });
    try {
      return db.prepare('SELECT status FROM Execution').all() as { status: string }[];
    } finally {
      db.close();
    }
  };
  return { home, cli, executions, port: new URL(server.url).port };
}

describe('a run against an unreachable endpoint fails fast', () => {
  it('a 60-line batch stops after its first calls fail to connect and reports the rest as not run', async () => {
    const { home, cli, executions, port } = await closedPortHome();
    await cli('prompt', 'create', 'p', '--body', 'Write about {{topic}}');
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ topic: `t${i}` }));
    writeFileSync(join(home, 'cases.jsonl'), `${lines.join('\n')}\n`);
    const run = await cli(
      'prompt',
      'run',
      'p',
      '--input-file',
      'cases.jsonl',
      '--concurrency',
      '8',
      '--max-retries',
      '0',
    );
    expect(run.code).toBe(1);
    const errorLines = run.stderr.trim().split('\n');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain(`127.0.0.1:${port}`);
    expect(errorLines[0]).toMatch(/baseUrl or OPENAI_BASE_URL/);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const tried = results.filter((r) => r.status === 'error');
    const notRun = results.filter((r) => r.status === 'not_run');
    expect(tried.length).toBeLessThanOrEqual(4);
    expect(tried.length + notRun.length).toBe(60);
    expect(notRun[0]?.error).toEqual({
      message: expect.stringContaining(`127.0.0.1:${port}`),
      code: 'UNREACHABLE',
      exitCode: 1,
      hint: expect.stringContaining('OPENAI_BASE_URL'),
    });
    expect(executions().length).toBeLessThanOrEqual(4);
  });

  it('a workflow of several independent steps stops after its first calls fail to connect', async () => {
    const { home, cli, executions, port } = await closedPortHome();
    const steps = Array.from({ length: 8 }, (_, i) => `  - id: s${i}\n    template: step ${i}\n`);
    expect((await cli('config', 'set', 'maxRetries', '0')).code).toBe(0);
    writeFileSync(join(home, 'wf.yaml'), `name: wide\nsteps:\n${steps.join('')}`);
    const run = await cli('workflow', 'run', 'wf.yaml', '--concurrency', '8', '--json');
    expect(run.code).toBe(1);
    const errorLines = run.stderr.trim().split('\n');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain(`cannot connect to 127.0.0.1:${port}`);
    expect(errorLines[0]).toMatch(/baseUrl or OPENAI_BASE_URL/);
    expect(executions().length).toBeLessThanOrEqual(4);
    const summary = JSON.parse(run.stdout);
    expect(summary.status).toBe('failed');
    const statuses = summary.steps.map((s: { status: string }) => s.status);
    expect(statuses.filter((s: string) => s === 'failed').length).toBeLessThanOrEqual(4);
    expect(statuses.filter((s: string) => s === 'skipped').length).toBeGreaterThanOrEqual(4);
  });
});
