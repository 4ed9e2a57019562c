// Model failures through the built binary: a body that stalls or breaks, a base URL that is
// not a URL or lacks its prefix, an error sent inside a stream. Each is one line, recorded.
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

async function setup(reply?: Reply, baseUrl?: (serverUrl: string) => string) {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, {
    OPENAI_BASE_URL: baseUrl ? baseUrl(server.url) : server.url,
    OPENAI_API_KEY: 'sk-e2e-model-errors',
    PROMPT_RUNNER_PROJECT: 'app',
  });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  await cli('prompt', 'create', 'p', '--body', 'Write about {{topic}}');
  const executions = async () => {
    const listed = await cli('execution', 'list', '--json');
    return JSON.parse(listed.stdout) as { status: string; error?: string | null }[];
  };
  return { server, cli, executions };
}

function lines(text: string): string[] {
  return text.trim().split('\n');
}

describe('a non-streamed answer is bounded by --timeout, body included', () => {
  it('stops a body that stalls after its headers at the timeout: one line, exit 1, an error recorded', async () => {
    const { cli, executions } = await setup(() => ({ stallAfterHeaders: true }));
    const result = await cli(
      'prompt',
      'run',
      'p',
      '--var',
      'topic=x',
      '--timeout',
      '2',
      '--max-retries',
      '0',
    );
    expect(result.code).toBe(1);
    expect(lines(result.stderr)[0]).toMatch(
      /^Error: the request to 127\.0\.0\.1:\d+ timed out after 2s/,
    );
    expect(result.stderr).not.toMatch(/bug|\n\s+at /);
    expect(lines(result.stderr).filter((l) => l.startsWith('Error:'))).toHaveLength(1);
    const [row] = await executions();
    expect(row?.status).toBe('error');
  });

  it('retries a body cut off mid-way like a connection error, then says it was cut off (not a bug)', async () => {
    const { cli, server, executions } = await setup(() => ({
      content: 'never whole',
      cutBody: true,
    }));
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--max-retries', '1');
    expect(result.code).toBe(1);
    expect(server.requests.length).toBe(2);
    expect(result.stderr).toMatch(/Error: the answer was cut off .*\(after 2 attempts\)/);
    expect(result.stderr).not.toMatch(/bug|\n\s+at /);
    expect(lines(result.stderr).filter((l) => l.startsWith('Error:'))).toHaveLength(1);
    const [row] = await executions();
    expect(row?.status).toBe('error');
  });
});

describe('OPENAI_BASE_URL is validated, and a 404 on the path is not "model not found"', () => {
  for (const bad of ['127.0.0.1:46556/v1', 'localhost:46556/v1']) {
    it(`refuses OPENAI_BASE_URL=${bad} in one line naming the variable, exit 2`, async () => {
      const { cli, server } = await setup(undefined, () => bad);
      const result = await cli('prompt', 'run', 'p', '--var', 'topic=x');
      expect(result.code).toBe(2);
      expect(lines(result.stderr)[0]).toMatch(/^Error: Invalid OPENAI_BASE_URL: "/);
      expect(result.stderr).not.toMatch(/bug|\n\s+at /);
      expect(server.requests).toHaveLength(0);
    });
  }

  it("says the path was not found at the host, with the server's own words, for Express's 404 page", async () => {
    const { cli } = await setup(
      () => ({ notFoundPage: true }),
      (url) => url.replace(/\/v1$/, ''),
    );
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x');
    expect(result.code).toBe(1);
    expect(lines(result.stderr)[0]).toMatch(
      /^Error: the path was not found at 127\.0\.0\.1:\d+ \(Cannot POST \/chat\/completions\) \(check that the base URL ends with its API path, such as \/v1/,
    );
    expect(result.stderr).toMatch(/\/v1/);
    expect(result.stderr).not.toMatch(/model "/);
  });

  it('says the path was not found for a plain-text 404', async () => {
    const { cli } = await setup(() => ({
      status: 404,
      raw: 'Cannot POST /chat/completions',
      contentType: 'text/plain',
    }));
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /the path was not found at .*\(Cannot POST \/chat\/completions\)/,
    );
  });

  it('keeps "model not found" for a 404 about the model', async () => {
    const { cli } = await setup(() => ({
      status: 404,
      message: 'The model `nope` does not exist',
    }));
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/model ".*" not found at .*The model `nope` does not exist/);
  });
});

const STREAM_RUN = ['prompt', 'run', 'p', '--var', 'topic=x', '--stream'];

describe('an error sent inside a 200 stream', () => {
  it("reports the server's message in one line and does not retry a non-retryable one", async () => {
    const { cli, server, executions } = await setup(() => ({
      content: 'a b c',
      streamError: {
        message: 'context length exceeded',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      },
    }));
    const result = await cli(...STREAM_RUN);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)[0]).toMatch(/^Error: .*context length exceeded/);
    expect(result.stderr).not.toMatch(/cut off|bug|after \d+ attempts/);
    expect(server.requests).toHaveLength(1);
    const [row] = await executions();
    expect(row?.status).toBe('error');
  });

  it('retries a server_error sent in the stream, then reports its message', async () => {
    const { cli, server } = await setup(() => ({
      content: 'a b c',
      streamError: { message: 'the engine is overloaded', type: 'server_error', code: null },
    }));
    const result = await cli(...STREAM_RUN, '--max-retries', '2');
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(3);
    expect(lines(result.stderr)[0]).toMatch(/the engine is overloaded \(after 3 attempts\)/);
  });

  it('reads a status given in the error event: a 503 is retried and shown with its message', async () => {
    const { cli, server } = await setup(() => ({
      content: 'x',
      streamError: { message: 'busy', status: 503 },
    }));
    const result = await cli(...STREAM_RUN, '--max-retries', '1');
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(lines(result.stderr)[0]).toMatch(/\(503\): busy \(after 2 attempts\)/);
  });
});
