// Model runs through the built binary: signals, faults and many processes on one database.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { type Reply, TEST_CERT } from '../support/model-server.mjs';
import { executionRows, storeText } from '../support/store-rows.js';
import { tempDir } from '../support/temp.js';

const KEY = 'sk-e2e-secret-key-42';

async function setup(reply?: Reply, options: { tls?: boolean } = {}) {
  const server = await modelServer(reply, options);
  const home = tempDir();
  const env = testEnv(home, {
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: KEY,
    PROMPT_RUNNER_PROJECT: 'app',
  });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  await cli('prompt', 'create', 'p', '--body', 'Write about {{topic}}');
  const rows = () => executionRows(env);
  return { server, home, env, cli, rows };
}

describe('prompt run (built binary)', () => {
  it('stops on Ctrl-C during a stream: exit 130, the partial text kept as a cancelled execution', async () => {
    const { env, home, rows } = await setup(() => ({
      content: 'alpha beta gamma delta epsilon zeta eta theta',
      chunkDelayMs: 150,
    }));
    const child = spawn(
      process.execPath,
      [BIN, 'prompt', 'run', 'p', '--var', 'topic=x', '--stream'],
      {
        env,
        cwd: home,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    let interrupted = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('beta') && !interrupted) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', resolve);
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/Error: Cancelled/);
    expect(stdout.startsWith('alpha beta')).toBe(true);
    const [row] = rows();
    expect(row).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
    expect(String(row?.response)).toMatch(/^alpha beta/);
    expect(String(row?.response)).not.toContain('theta');
  });

  it('retries a 429 and records the attempts', async () => {
    const { cli, rows } = await setup((_b, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '0' } } : { content: 'fine' },
    );
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'success', output: 'fine' });
    expect(rows()[0]).toMatchObject({ status: 'success', attempts: 2 });
  });

  it('reports a refused connection and a stream cut off, each as an error row', async () => {
    const { cli, rows, server } = await setup(() => ({
      content: 'a b c d e f g',
      cutAfterChunks: 2,
    }));
    const cut = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--stream');
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/Error: the stream was cut off before the answer was complete/);
    expect(cut.stderr.trim().split('\n')).toHaveLength(1);
    await server.close();
    const refused = await cli('prompt', 'run', 'p', '--var', 'topic=y', '--max-retries', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /cannot connect to 127\.0\.0\.1:\d+: connection refused \(after 2 attempts\)/,
    );
    const recorded = rows();
    expect(recorded.map((r) => [r.status, r.attempts])).toEqual([
      ['error', 1],
      ['error', 2],
    ]);
    expect(recorded[0]?.response).toBe('a b ');
  });

  it('calls a model over HTTPS once its private CA is named in NODE_EXTRA_CA_CERTS', async () => {
    const { cli, env, home, rows } = await setup(() => ({ content: 'over tls' }), { tls: true });
    const refused = await cli('prompt', 'run', 'p', '--var', 'topic=x');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /Error: 127\.0\.0\.1:\d+ has a TLS certificate Node does not trust: self-signed certificate \(if you trust it, name its CA in NODE_EXTRA_CA_CERTS=<file\.pem>;/,
    );
    const trusted = await runBinary(['prompt', 'run', 'p', '--var', 'topic=x', '--json'], {
      env: { ...env, NODE_EXTRA_CA_CERTS: TEST_CERT },
      cwd: home,
    });
    expect(JSON.parse(trusted.stdout)).toMatchObject({ status: 'success', output: 'over tls' });
    expect(rows().map((r) => [r.status, r.attempts])).toEqual([
      ['error', 1],
      ['success', 1],
    ]);
  });

  it('keeps the API key out of the database, exports and --verbose output', async () => {
    const { cli, env, server } = await setup();
    const verbose = await cli('prompt', 'run', 'p', '--var', 'topic=keys', '--verbose');
    const failed = await cli(
      'prompt',
      'run',
      'p',
      '--var',
      'topic=keys',
      '--verbose',
      '-m',
      'x',
      '--timeout',
      '0.001',
    );
    // A server that quotes the key back in its error.
    server.setReply(() => ({ status: 401, message: `Incorrect API key provided: ${KEY}` }));
    const quoted = await cli('prompt', 'run', 'p', '--var', 'topic=quoted', '--verbose');
    expect(quoted.stderr).toContain('Incorrect API key provided: ***');
    const exported = await cli('execution', 'export');
    const stored = storeText(env);
    for (const text of [
      verbose.stdout,
      verbose.stderr,
      failed.stderr,
      quoted.stderr,
      exported.stdout,
      stored,
    ]) {
      expect(text).not.toContain(KEY);
    }
  });

  it('lets eight processes of fifty calls each write to one database at once', async () => {
    const { env, home, rows } = await setup((body) => ({
      content: `re: ${body.messages[0]?.content}`,
    }));
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ topic: `t${i}` }));
    writeFileSync(join(home, 'cases.jsonl'), lines.join('\n'));
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        runBinary(
          ['prompt', 'run', 'p', '--input-file', 'cases.jsonl', '--concurrency', '4', '--no-cache'],
          {
            env,
            cwd: home,
          },
        ),
      ),
    );
    for (const result of results) {
      expect(result.stderr).not.toMatch(/locked|busy/i);
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(50);
    }
    const recorded = rows();
    expect(recorded).toHaveLength(400);
    expect(recorded.every((r) => r.status === 'success')).toBe(true);
  }, 120_000);
});
