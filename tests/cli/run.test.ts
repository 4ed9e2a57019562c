// prompt run, execution and cache commands in-process, against a real database and a local
// OpenAI-compatible server.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

const KEY = 'sk-test-secret-0123456789';

async function setup(reply?: Reply) {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY });
  const cli = (args: string[], options: { stdin?: string } = {}) =>
    runInProcess(args, { env, cwd: home, ...options });
  await cli(['project', 'create', 'app']);
  await cli(['project', 'use', 'app']);
  await cli(['prompt', 'create', 'greet', '--body', 'Say hello to {{name}}']);
  /** Runs `greet` once per line (lines written to cases.jsonl). */
  const batch = (lines: string[], ...flags: string[]) => {
    writeFileSync(join(home, 'cases.jsonl'), `${lines.join('\n')}\n`);
    return cli(['prompt', 'run', 'greet', '--input-file', 'cases.jsonl', ...flags]);
  };
  return { server, home, env, cli, batch };
}

const json = (result: { stdout: string }) => JSON.parse(result.stdout);
const jsonLines = (result: { stdout: string }) =>
  result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('prompt run', () => {
  it('prints the answer, and the SPEC shape with --json', async () => {
    const { cli, server } = await setup();
    const plain = await cli(['prompt', 'run', 'greet', '--var', 'name=Ada']);
    expect(plain).toMatchObject({ code: 0, stdout: 'Echo: Say hello to Ada' });
    const shaped = json(
      await cli(['prompt', 'run', 'greet', '--var', 'name=Bo', '--json', '--temperature', '0.3']),
    );
    expect(Object.keys(shaped).sort()).toEqual(
      [
        'cached',
        'costUsd',
        'executionId',
        'inputTokens',
        'latencyMs',
        'model',
        'output',
        'outputTokens',
        'status',
      ].sort(),
    );
    expect(shaped).toMatchObject({
      output: 'Echo: Say hello to Bo',
      status: 'success',
      cached: false,
    });
    expect(server.requests[1]?.body.temperature).toBe(0.3);
  });

  it('streams the answer as it arrives', async () => {
    const { cli } = await setup(() => ({ content: 'one two three', chunkDelayMs: 2 }));
    const streamed = await cli(['prompt', 'run', 'greet', '--var', 'name=x', '--stream']);
    expect(streamed.stdout).toBe('one two three\n');
  });

  it('answers from the cache the second time, unless --no-cache', async () => {
    const { cli, server } = await setup();
    await cli(['prompt', 'run', 'greet', '--var', 'name=Ada']);
    const again = json(await cli(['prompt', 'run', 'greet', '--var', 'name=Ada', '--json']));
    expect(again).toMatchObject({ cached: true, costUsd: 0 });
    await cli(['prompt', 'run', 'greet', '--var', 'name=Ada', '--no-cache']);
    expect(server.requests).toHaveLength(2);

    const stats = json(await cli(['cache', 'stats', '--json']));
    expect(stats).toMatchObject({ entries: 1, hits: 1 });
    expect((await cli(['cache', 'clear', '--older-than', '1d'])).stdout).toContain(
      'Removed 0 cached answers',
    );
    expect((await cli(['cache', 'clear'])).stdout).toContain('Removed 1 cached answer');
    expect(json(await cli(['cache', 'stats', '--json']))).toMatchObject({ entries: 0 });
  });

  it('shows what would be sent with --dry-run and calls nothing', async () => {
    const { cli, server } = await setup();
    const dry = json(
      await cli([
        'prompt',
        'run',
        'greet',
        '--var',
        'name=Ada',
        '--dry-run',
        '--json',
        '-m',
        'llama3.1',
      ]),
    );
    expect(dry).toMatchObject({
      dryRun: true,
      model: 'llama3.1',
      messages: [{ role: 'user', content: 'Say hello to Ada' }],
    });
    expect(server.requests).toHaveLength(0);
    expect(json(await cli(['execution', 'list', '--json']))).toEqual([]);
  });

  it('runs a batch file: JSON lines in input order, failures reported, exit 1', async () => {
    const { batch } = await setup((body) =>
      body.messages[0]?.content.includes('Bad')
        ? { status: 400, message: 'refused' }
        : { content: 'ok' },
    );
    const lines = [
      JSON.stringify({ name: 'A' }),
      '',
      JSON.stringify({ name: 'Bad' }),
      'not json',
      JSON.stringify({ name: 'C' }),
    ];
    const result = await batch(lines, '--concurrency', '2');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: 2 of 4 cases failed\n');
    const rows = jsonLines(result);
    expect(rows.map((r) => [r.line, r.status])).toEqual([
      [1, 'success'],
      [3, 'error'],
      [4, 'error'],
      [5, 'success'],
    ]);
    // A failed line carries the same error object as a failed command's --json.
    expect(rows[1].error).toEqual({
      message: expect.stringMatching(/400: refused/),
      code: 'MODEL',
      exitCode: 1,
      hint: expect.any(String),
    });
    expect(rows[2].error).toEqual({
      message: expect.stringMatching(/line 4 is not valid JSON/),
      code: 'VALIDATION',
      exitCode: 2,
      hint: null,
    });
    // Every line has the same keys, whatever became of it.
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(Object.keys(rows[0]).sort());
    expect(rows[1]).toMatchObject({ model: 'gpt-4o-mini', cached: false, costUsd: null });
    expect(rows[1].executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows[2]).toMatchObject({ model: null, executionId: null });
  });

  it('renders each batch line with --dry-run, calls nothing, exit 2 if a line cannot be', async () => {
    const { batch, server } = await setup();
    const lines = [JSON.stringify({ name: 'A' }), JSON.stringify({ other: 1 }), '[1]'];
    const result = await batch(lines, '--dry-run');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('Error: 2 of 3 cases cannot be rendered\n');
    const rows = jsonLines(result);
    expect(rows[0]).toEqual({
      line: 1,
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello to A' }],
    });
    expect(rows[1]).toMatchObject({
      line: 2,
      error: { message: expect.stringMatching(/name/), exitCode: 2 },
    });
    expect(rows[2]).toEqual({
      line: 3,
      error: {
        message: 'line 3 is not a JSON object of variables',
        code: 'VALIDATION',
        exitCode: 2,
        hint: null,
      },
    });
    expect(server.requests).toHaveLength(0);

    expect((await batch(lines.slice(0, 1), '--dry-run')).code).toBe(0);
  });

  it('asks once for lines that repeat a call of the batch; the others are cache hits', async () => {
    const { batch, server } = await setup((body) =>
      body.messages[0]?.content.includes('Bad')
        ? { status: 400, message: 'refused' }
        : { content: 'ok', delayMs: 30 },
    );
    const lines = ['A', 'A', 'B', 'A', 'Bad', 'Bad'].map((name) => JSON.stringify({ name }));
    const result = await batch(lines, '--json');
    const rows = jsonLines(result);
    expect(rows.map((r) => [r.status, r.cached])).toEqual([
      ['success', false],
      ['success', true],
      ['success', false],
      ['success', true],
      ['error', false],
      ['error', false],
    ]);
    // A, B, and each Bad (errors are never shared or cached).
    expect(server.requests).toHaveLength(4);
    const noCache = await batch(lines, '--no-cache');
    expect(noCache.code).toBe(1);
    expect(server.requests).toHaveLength(10);
  });

  it('fails with one line, exit 1 and a recorded execution when the model fails', async () => {
    const { cli } = await setup(() => ({ status: 401, message: 'invalid api key' }));
    const result = await cli(['prompt', 'run', 'greet', '--var', 'name=Ada']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: authentication failed \(401\): invalid api key \(check OPENAI_API_KEY; see `prompt-runner execution show [0-9a-f]{8}`\)\n$/,
    );
    const [row] = json(await cli(['execution', 'list', '--json']));
    expect(row).toMatchObject({
      status: 'error',
      attempts: 1,
      error: 'authentication failed (401): invalid api key',
    });

    // With --json, stdout still holds one document: the run's shape, failed.
    const scripted = await cli(['prompt', 'run', 'greet', '--var', 'name=Ada', '--json']);
    expect(scripted.code).toBe(1);
    expect(scripted.stderr).toMatch(/^Error: authentication failed \(401\)[^\n]*\n$/);
    const failed = json(scripted);
    expect(failed).toEqual({
      error: {
        message: 'authentication failed (401): invalid api key',
        code: 'MODEL',
        exitCode: 1,
        hint: expect.stringMatching(/^check OPENAI_API_KEY; see `prompt-runner execution show/),
      },
      executionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      output: null,
      model: 'gpt-4o-mini',
      status: 'error',
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      latencyMs: null,
      cached: false,
    });
    const recorded = json(await cli(['execution', 'show', failed.executionId, '--json']));
    expect(recorded.status).toBe('error');
  });

  it('refuses to run without a key for a remote endpoint, naming the variable', async () => {
    const home = tempDir();
    const env = testEnv(home, { OPENAI_BASE_URL: 'https://api.example.com/v1' });
    const cli = (args: string[]) => runInProcess(args, { env, cwd: home });
    await cli(['project', 'create', 'app']);
    await cli(['prompt', 'create', 'p', '-p', 'app', '--body', 'hi']);
    const result = await cli(['prompt', 'run', 'p', '-p', 'app']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Error: No API key for api.example.com: set OPENAI_API_KEY/);
  });

  it('refuses bad run options', async () => {
    const { cli } = await setup();
    const cases: [string[], RegExp][] = [
      [
        ['prompt', 'run', 'greet', '--input-file', 'x.jsonl', '--stream'],
        /cannot be used with --input-file/,
      ],
      [
        ['prompt', 'run', 'greet', '--concurrency', '0'],
        /^Error: Invalid --concurrency "0": too small: expected number to be >0\n$/,
      ],
      [
        ['prompt', 'run', 'greet', '--max-tokens', 'many'],
        /^Error: Invalid --max-tokens "many": expected number\n$/,
      ],
      [
        ['prompt', 'run', 'greet', '--response-format', 'xml'],
        /^Error: Invalid --response-format "xml": invalid option: expected one of "text"\|"json"/,
      ],
      [
        ['prompt', 'run', 'greet', '--input-file', 'missing.jsonl'],
        /Cannot read input file missing.jsonl/,
      ],
      [['prompt', 'run', 'greet'], /Missing variable: "name"/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('execution commands', () => {
  async function withHistory() {
    const context = await setup((body) =>
      body.messages[0]?.content.includes('Zed')
        ? { status: 500 }
        : { content: `Answer about ${body.messages[0]?.content}` },
    );
    await context.cli(['prompt', 'create', 'ask', '--body', 'Tell me about {{topic}}']);
    for (const topic of ['quarterly invoices', 'kittens', 'invoice disputes']) {
      await context.cli(['prompt', 'run', 'ask', '--var', `topic=${topic}`]);
    }
    await context.cli(['prompt', 'run', 'greet', '--var', 'name=Ada', '-m', 'other-model']);
    await context.cli(['prompt', 'run', 'greet', '--var', 'name=Zed', '--max-retries', '0']);
    return context;
  }

  it('lists with filters and shows one by a unique prefix', async () => {
    const { cli } = await withHistory();
    const all = json(await cli(['execution', 'list', '--json']));
    expect(all).toHaveLength(5);
    expect(json(await cli(['execution', 'list', '--status', 'error', '--json']))).toHaveLength(1);
    expect(json(await cli(['execution', 'list', '--prompt', 'ask', '--json']))).toHaveLength(3);
    expect(json(await cli(['execution', 'list', '--model', 'other-model', '--json']))).toHaveLength(
      1,
    );
    expect(
      json(await cli(['execution', 'list', '-n', '2', '--since', '1h', '--json'])),
    ).toHaveLength(2);
    expect(json(await cli(['execution', 'list', '--since', '2999-01-01', '--json']))).toHaveLength(
      0,
    );
    expect((await cli(['execution', 'list'])).stdout).toMatch(/│ ask@v1\s+│ gpt-4o-mini/);

    const target = all.find(
      (e: { prompt: string; status: string }) => e.prompt === 'greet' && e.status === 'success',
    );
    const shown = json(await cli(['execution', 'show', target.id.slice(0, 6), '--json']));
    expect(shown).toMatchObject({
      id: target.id,
      model: 'other-model',
      messages: [{ role: 'user', content: 'Say hello to Ada' }],
      response: 'Answer about Say hello to Ada',
      variables: { name: 'Ada' },
    });
    const human = await cli(['execution', 'show', target.id]);
    expect(human.stdout).toMatch(/Response\nAnswer about Say hello to Ada/);
  });

  it('refuses short and unknown ids', async () => {
    const { cli } = await withHistory();
    expect((await cli(['execution', 'show', 'abc'])).stderr).toMatch(/at least 4 characters/);
    const unknown = await cli(['execution', 'show', 'zzzzzz']);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toMatch(/No execution with id zzzzzz/);
  });

  it('searches prompts and answers, best matches first, with highlights', async () => {
    const { cli } = await withHistory();
    const hits = json(await cli(['execution', 'search', 'invoices', '--json']));
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits[0].prompt).toContain('**invoices**');
    const phrase = json(await cli(['execution', 'search', '"invoice disputes"', '--json']));
    expect(phrase).toHaveLength(1);
    const prefix = json(await cli(['execution', 'search', 'invoice*', '--json']));
    expect(prefix).toHaveLength(2);
    const odd = await cli(['execution', 'search', 'kittens)(']);
    expect(odd.code).toBe(0);
    expect(odd.stdout).toContain('kittens');
    // Text FTS5 reads as a column filter (word:word) is searched as plain words too.
    for (const query of ['invoices:x', 'error: timeout', 'http://example.com']) {
      const plain = await cli(['execution', 'search', query, '--json']);
      expect({ query, code: plain.code, stderr: plain.stderr }).toEqual({
        query,
        code: 0,
        stderr: '',
      });
    }
    expect((await cli(['execution', 'search', '  ** '])).code).toBe(2);
  });

  it('summarises by model, day and prompt', async () => {
    const { cli } = await withHistory();
    const byModel = json(await cli(['execution', 'stats', '--json']));
    const mini = byModel.find((r: { key: string }) => r.key === 'gpt-4o-mini');
    expect(mini).toMatchObject({ calls: 4, errors: 1, errorRate: 0.25 });
    expect(mini.costUsd).toBeGreaterThan(0);
    const other = byModel.find((r: { key: string }) => r.key === 'other-model');
    expect(other).toMatchObject({ calls: 1, costUsd: null });
    const byPrompt = json(await cli(['execution', 'stats', '--by', 'prompt', '--json']));
    expect(byPrompt.map((r: { key: string; calls: number }) => [r.key, r.calls])).toEqual([
      ['ask', 3],
      ['greet', 2],
    ]);
    const byDay = json(await cli(['execution', 'stats', '--by', 'day', '--json']));
    expect(byDay[0].key).toBe(new Date().toISOString().slice(0, 10));
    expect((await cli(['execution', 'stats', '--by', 'week'])).code).toBe(2);
  });

  it('exports JSON lines and CSV without the API key', async () => {
    const { cli, home } = await withHistory();
    const jsonl = (await cli(['execution', 'export'])).stdout.trim().split('\n');
    expect(jsonl).toHaveLength(5);
    expect((await cli(['execution', 'export', '-o', '-'])).stdout.trim().split('\n')).toEqual(
      jsonl,
    );
    expect(JSON.parse(jsonl[0] ?? '{}')).toHaveProperty('messages');
    expect(
      (await cli(['execution', 'export', '--format', 'csv', '-o', 'calls.csv'])).stdout,
    ).toContain('Exported 5 executions');
    const csv = readFileSync(join(home, 'calls.csv'), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^id,createdAt,project,prompt/);
    expect(csv).toContain('"[{""role"":""user"",""content"":""Tell me about kittens""}]"');
    expect(json(await cli(['execution', 'export', '--json']))).toHaveLength(5);
    for (const text of [
      csv,
      jsonl.join('\n'),
      (await cli(['execution', 'list', '--verbose'])).stderr,
    ]) {
      expect(text).not.toContain(KEY);
    }
  });

  it('prunes old executions after confirmation', async () => {
    const { cli } = await withHistory();
    const nothing = await cli(['execution', 'prune', '--older-than', '1d', '--yes']);
    expect(nothing.stdout).toContain('Deleted 0 executions');
    expect((await cli(['execution', 'prune', '--older-than', 'soon'])).stderr).toMatch(
      /is not a duration/,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await cli(['execution', 'prune', '--older-than', '10ms']);
    expect(refused.code).toBe(2);
    const pruned = json(
      await cli(['execution', 'prune', '--older-than', '10ms', '--yes', '--json']),
    );
    expect(pruned.deleted).toBe(5);
    expect(json(await cli(['execution', 'search', 'kittens', '--json']))).toEqual([]);
  });
});
