// `prompt-runner mcp` in-process: JSON-RPC lines on stdin, answers on stdout, logs on stderr.
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const request = (id: number, method: string, params: object = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('prompt-runner mcp', () => {
  it('answers every request on stdout, in protocol only, until stdin ends', async () => {
    const server = await modelServer();
    const home = tempDir();
    const env = testEnv(home, {
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: 'sk-test-0123456789',
    });
    const cli = (args: string[], stdin?: string) => runInProcess(args, { env, cwd: home, stdin });
    await cli(['project', 'create', 'app']);
    await cli(['project', 'use', 'app']);
    await cli(['prompt', 'create', 'greet', '--body', 'Hi {{name}}', '--system', 'Be kind.']);
    await cli([
      'prompt',
      'create',
      'pic',
      '--body',
      '{{media url="data:image/png;base64,iVBORw0K"}}Look',
    ]);
    const lines = [
      request(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      }),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      request(2, 'prompts/list'),
      request(3, 'prompts/get', { name: 'greet', arguments: { name: 'Ada' } }),
      request(4, 'prompts/get', { name: 'pic' }),
      request(5, 'tools/call', {
        name: 'run_prompt',
        arguments: { name: 'greet', arguments: { name: 'Bo' } },
      }),
      request(6, 'tools/call', { name: 'render_prompt', arguments: {} }),
      request(7, 'prompts/get', { name: 'greet' }),
    ];
    const result = await cli(['mcp'], `${lines.join('\n')}\n`);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('prompt-runner MCP server: project app');
    const answers = new Map(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .map((answer) => [answer.id, answer]),
    );
    expect([...answers.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(answers.get(2).result.prompts.map((p: { name: string }) => p.name)).toEqual([
      'greet',
      'pic',
    ]);
    expect(answers.get(3).result.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Be kind.\n\nHi Ada' } },
    ]);
    expect(answers.get(4).result.messages).toEqual([
      { role: 'user', content: { type: 'image', mimeType: 'image/png', data: 'iVBORw0K' } },
      { role: 'user', content: { type: 'text', text: 'Look' } },
    ]);
    expect(JSON.parse(answers.get(5).result.content[0].text)).toMatchObject({
      output: 'Echo: Hi Bo',
    });
    expect(answers.get(6).result.isError).toBe(true);
    expect(answers.get(7).error).toMatchObject({ code: -32602 });
    expect(answers.get(7).error.message).toContain('Missing variable: "name"');

    // Without -p: the project whose root holds the folder the agent starts it in.
    await cli(['project', 'create', 'rooted', '--root', '.']);
    const rooted = await cli(
      ['mcp'],
      `${request(1, 'tools/call', { name: 'get_session', arguments: { session: 'abcd' } })}\n`,
    );
    expect(rooted.stderr).toContain('prompt-runner MCP server: project rooted');
    const missing = JSON.parse(rooted.stdout.trim());
    expect(missing.result.isError).toBe(true);
    expect(missing.result.content[0].text).toContain('No session with id abcd');
    const pattern = await cli(
      ['mcp'],
      `${request(1, 'tools/call', { name: 'get_session', arguments: { session: 'c%%%' } })}\n`,
    );
    expect(JSON.parse(pattern.stdout.trim()).result.content[0].text).toContain('hex digits');
  });
});
