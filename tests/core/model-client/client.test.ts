import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createModelClient, retryDelay } from '../../../src/core/model-client/client.js';
import { CancelledError, ModelCallError } from '../../../src/core/model-client/errors.js';
import type { ModelClientSettings, ModelRequest } from '../../../src/core/model-client/types.js';
import { modelServer } from '../../support/model.js';

const request: ModelRequest = {
  model: 'test-model',
  messages: [{ role: 'user', content: 'hello there' }],
  parameters: { temperature: 0.5, maxTokens: 20, seed: 1, stop: ['###'], topP: 0.9 },
};

function client(url: string, settings: Partial<ModelClientSettings> = {}) {
  return createModelClient({
    baseURL: url,
    apiKey: 'test-key',
    timeoutMs: 5000,
    idleTimeoutMs: 2000,
    maxRetries: 2,
    maxRetryDelayMs: 50,
    baseRetryDelayMs: 5,
    ...settings,
  });
}

async function failure(promise: Promise<unknown>): Promise<ModelCallError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelCallError);
  return error as ModelCallError;
}

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('createModelClient', () => {
  it('sends the parameters and reads the answer and its usage', async () => {
    const server = await modelServer(() => ({ content: 'General Kenobi' }));
    const response = await client(server.url).complete(request);
    expect(response).toEqual({
      text: 'General Kenobi',
      finishReason: 'stop',
      inputTokens: 2,
      outputTokens: 2,
      attempts: 1,
    });
    expect(server.requests[0]?.body).toMatchObject({
      model: 'test-model',
      temperature: 0.5,
      max_tokens: 20,
      seed: 1,
      stop: ['###'],
      top_p: 0.9,
    });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer test-key');
  });

  it('streams pieces as they arrive and asks for usage', async () => {
    const server = await modelServer(() => ({ content: 'one two three', chunkDelayMs: 5 }));
    const pieces: string[] = [];
    const response = await client(server.url).complete(request, {
      stream: true,
      onToken: (piece) => pieces.push(piece),
    });
    expect(pieces.join('')).toBe('one two three');
    expect(pieces.length).toBeGreaterThan(1);
    expect(response).toMatchObject({ text: 'one two three', inputTokens: 2, outputTokens: 3 });
    expect(server.requests[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it('asks for JSON when told', async () => {
    const server = await modelServer(() => ({ content: '{}' }));
    await client(server.url).complete({ ...request, parameters: { responseFormat: 'json' } });
    expect(server.requests[0]?.body.response_format).toEqual({ type: 'json_object' });
  });

  it('retries a 429, honouring retry-after, then succeeds', async () => {
    const server = await modelServer((_body, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '0' } } : { content: 'ok' },
    );
    const retries: number[] = [];
    const response = await client(server.url).complete(request, {
      onRetry: ({ delayMs }) => retries.push(delayMs),
    });
    expect(response).toMatchObject({ text: 'ok', attempts: 2 });
    expect(retries).toEqual([0]);
  });

  it('gives up on a server that fails every time, after the retries', async () => {
    const server = await modelServer(() => ({ status: 500, message: 'boom' }));
    const error = await failure(client(server.url, { maxRetries: 2 }).complete(request));
    expect(error.message).toMatch(/answered 500: boom \(after 3 attempts\)/);
    expect(error.details.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry 401 or 404, and says what to check', async () => {
    const denied = await modelServer(() => ({ status: 401, message: 'bad key' }));
    const auth = await failure(client(denied.url).complete(request));
    expect(auth.message).toBe('authentication failed (401): bad key');
    expect(auth.hint).toBe('check OPENAI_API_KEY');
    expect(denied.requests).toHaveLength(1);

    const missing = await modelServer(() => ({ status: 404, message: 'no such model' }));
    const notFound = await failure(client(missing.url).complete(request));
    expect(notFound.message).toMatch(/model "test-model" not found at 127\.0\.0\.1:\d+ \(404\)/);
  });

  it('reports a refused connection after retrying it', async () => {
    const port = await closedPort();
    const error = await failure(
      client(`http://127.0.0.1:${port}/v1`, { maxRetries: 1 }).complete(request),
    );
    expect(error.message).toMatch(/cannot connect to 127\.0\.0\.1:\d+: connection refused/);
    expect(error.details.attempts).toBe(2);
  });

  it('refuses an untrusted TLS certificate without retrying, and says how to trust it', async () => {
    const server = await modelServer(undefined, { tls: true });
    const error = await failure(client(server.url).complete(request));
    expect(error.message).toMatch(
      /^127\.0\.0\.1:\d+ has a TLS certificate Node does not trust: self-signed certificate$/,
    );
    expect(error.hint).toBe('if you trust it, name its CA in NODE_EXTRA_CA_CERTS=<file.pem>');
    expect(error.details.attempts).toBe(1);
    expect(server.requests).toHaveLength(0);
  });

  it('times out a slow answer', async () => {
    const server = await modelServer(() => ({ content: 'late', delayMs: 1000 }));
    const error = await failure(
      client(server.url, { timeoutMs: 100, maxRetries: 0 }).complete(request),
    );
    expect(error.message).toMatch(/timed out after 0\.1s/);
  });

  it('fails a stream cut off halfway, keeping the partial text but not retrying', async () => {
    const server = await modelServer(() => ({ content: 'a b c d e f', cutAfterChunks: 3 }));
    const error = await failure(client(server.url).complete(request, { stream: true }));
    expect(error.message).toMatch(/stream was cut off before the answer was complete/);
    expect(error.details.partialText).toBe('a b c ');
    expect(server.requests).toHaveLength(1);
  });

  it('fails a stream that goes silent', async () => {
    const server = await modelServer(() => ({ content: 'a b c', stallAfterChunks: 1 }));
    const error = await failure(
      client(server.url, { idleTimeoutMs: 150 }).complete(request, { stream: true }),
    );
    expect(error.message).toMatch(/went silent for 0\.15s/);
    expect(error.details.partialText).toBe('a ');
  });

  it('fails a stream that keeps sending past the timeout, without retrying', async () => {
    const server = await modelServer(() => ({ content: 'a b c d e f g h', chunkDelayMs: 60 }));
    const error = await failure(
      client(server.url, { timeoutMs: 200, idleTimeoutMs: 1000 }).complete(request, {
        stream: true,
      }),
    );
    expect(error.message).toMatch(/took longer than the 0\.2s timeout/);
    expect(error.details.partialText.length).toBeGreaterThan(0);
    expect(error.details.partialText.length).toBeLessThan('a b c d e f g h'.length);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a malformed body without retrying', async () => {
    const server = await modelServer(() => ({ raw: '{"choices": [oops' }));
    const error = await failure(client(server.url).complete(request));
    expect(error.message).toMatch(/malformed/);
    expect(server.requests).toHaveLength(1);
    const empty = await modelServer(() => ({ raw: '{"id": "x"}' }));
    expect((await failure(client(empty.url).complete(request))).message).toMatch(/malformed/);
  });

  it('is cancelled by its signal, keeping what arrived', async () => {
    const server = await modelServer(() => ({ content: 'one two three four', chunkDelayMs: 40 }));
    const controller = new AbortController();
    const error = await client(server.url)
      .complete(request, {
        stream: true,
        signal: controller.signal,
        onToken: () => controller.abort(),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).details.partialText).toBe('one ');
  });
});

describe('retryDelay', () => {
  const settings = { baseRetryDelayMs: 100, maxRetryDelayMs: 1000 };
  it('backs off exponentially with jitter, under the cap', () => {
    for (let i = 0; i < 50; i++) {
      const first = retryDelay(1, undefined, settings);
      const third = retryDelay(3, undefined, settings);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(400);
      expect(retryDelay(10, undefined, settings)).toBeLessThanOrEqual(1000);
    }
  });
  it('follows retry-after up to the cap', () => {
    expect(retryDelay(1, 300, settings)).toBe(300);
    expect(retryDelay(1, 60_000, settings)).toBe(1000);
  });
});
