// How the built binary reaches a model endpoint: redirects never carry the API key to another
// origin, HTTPS_PROXY/HTTP_PROXY/NO_PROXY are honoured, loopback hosts never use the proxy.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { type ForwardProxy, startProxy } from '../support/proxy.mjs';
import { tempDir } from '../support/temp.js';

const KEY = 'sk-e2e-secret-key-42';

const proxies: ForwardProxy[] = [];
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
});

async function proxy(): Promise<ForwardProxy> {
  const started = await startProxy({ hosts: { 'model.test': '127.0.0.1' } });
  proxies.push(started);
  return started;
}

/** A project with one prompt, calling `baseUrl` with `extra` in the environment. */
async function setup(baseUrl: string, extra: NodeJS.ProcessEnv = {}) {
  const home = tempDir();
  const env = testEnv(home, {
    OPENAI_BASE_URL: baseUrl,
    OPENAI_API_KEY: KEY,
    PROMPT_RUNNER_PROJECT: 'app',
    ...extra,
  });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  await cli('prompt', 'create', 'p', '--body', 'Write about {{topic}}');
  return cli;
}

const port = (url: string) => new URL(url).port;

describe('redirects from the model endpoint', () => {
  it('refuses a redirect to another origin in one line: the API key never reaches it', async () => {
    const other = await modelServer(() => ({ content: 'stolen' }));
    const server = await modelServer(() => ({ redirect: `${other.url}/chat/completions` }));
    const cli = await setup(server.url);
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x');
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`redirected to http://127.0.0.1:${port(other.url)}, another origin`);
    expect(lines[0]).toContain('the API key is only sent to the configured endpoint');
    expect(result.stderr).not.toContain(KEY);
    expect(other.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(1);
  });

  it('follows a redirect within the same origin, with the same request', async () => {
    const server = await modelServer((_body, index) =>
      index === 0 ? { redirect: '/v2/chat/completions' } : { content: 'moved' },
    );
    const cli = await setup(server.url);
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'success', output: 'moved' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(server.requests[1]?.body).toEqual(server.requests[0]?.body);
  });
});

describe('proxies from the environment', () => {
  it('sends the call through HTTPS_PROXY/HTTP_PROXY', async () => {
    const server = await modelServer(() => ({ content: 'via proxy' }));
    const through = await proxy();
    const baseUrl = `http://model.test:${port(server.url)}/v1`;
    const cli = await setup(baseUrl, { HTTPS_PROXY: through.url, HTTP_PROXY: through.url });
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'success', output: 'via proxy' });
    expect(through.seen.map((r) => r.target).join(' ')).toContain(`model.test:${port(server.url)}`);
    expect(server.requests).toHaveLength(1);
  });

  it('goes direct to a host named in NO_PROXY', async () => {
    const server = await modelServer(() => ({ content: 'never' }));
    const through = await proxy();
    const baseUrl = `http://model.test:${port(server.url)}/v1`;
    const cli = await setup(baseUrl, {
      HTTPS_PROXY: through.url,
      HTTP_PROXY: through.url,
      NO_PROXY: 'example.org,model.test',
    });
    // Only the proxy knows model.test: going direct, the name does not resolve.
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--max-retries', '0');
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Error: cannot connect to model\.test:\d+: /);
    expect(through.seen).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('never sends a loopback endpoint through the proxy, whatever NO_PROXY says', async () => {
    const server = await modelServer(() => ({ content: 'direct' }));
    const through = await proxy();
    const cli = await setup(server.url, {
      HTTPS_PROXY: through.url,
      HTTP_PROXY: through.url,
      NO_PROXY: 'example.org',
    });
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'success', output: 'direct' });
    expect(through.seen).toEqual([]);
  });
});

describe('answers', () => {
  it('reads a gzip-compressed answer', async () => {
    const answer = {
      id: 'chatcmpl-gz',
      object: 'chat.completion',
      created: 0,
      model: 'test-model',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'unzipped' }, finish_reason: 'stop' },
      ],
    };
    const reply: Reply = () => ({ raw: gzipSync(JSON.stringify(answer)), contentEncoding: 'gzip' });
    const server = await modelServer(reply);
    const cli = await setup(server.url);
    const result = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'success', output: 'unzipped' });
  });
});
