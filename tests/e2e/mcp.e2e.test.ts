// `prompt-runner mcp` end to end: the MCP SDK's own client over stdio, spawning the built
// binary, against a real database and the local model server.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PromptListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

async function setup(reply?: Reply) {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-0123456789' });
  const cli = (args: string[]) => runBinary(args, { env, cwd: home });
  await cli(['project', 'create', 'app']);
  await cli([
    'prompt',
    'create',
    'greet',
    '-p',
    'app',
    '-d',
    'Greets someone',
    '--body',
    'Hello {{name}}{{#if mood}}, feeling {{mood}}{{/if}}',
    '--system',
    'Be kind.',
  ]);
  await cli(['prompt', 'update', 'greet', '-p', 'app', '--body', 'Hi {{name}}']);
  await cli(['prompt', 'label', 'greet', 'production', '--version', '1', '-p', 'app']);
  await cli(['prompt', 'create', 'draft', '-p', 'app', '--body', 'Draft {{x}}']);
  const connect = async (...flags: string[]) => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '-p', 'app', ...flags],
      env: env as Record<string, string>,
      cwd: home,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport);
    clients.push(client);
    return client;
  };
  return { server, home, env, cli, connect };
}

const textOf = (result: Record<string, unknown>) =>
  (result.content as { type: string; text: string }[]).map((part) => part.text).join('');

describe('prompt-runner mcp', () => {
  it('lists and renders prompts: arguments, versions, labels, a missing argument', async () => {
    const { connect } = await setup();
    const client = await connect();
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([
      { name: 'draft', arguments: [{ name: 'x', required: true }] },
      {
        name: 'greet',
        description: 'Greets someone',
        arguments: [{ name: 'name', required: true }],
      },
    ]);
    const latest = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    // MCP has no system role: the system text opens the first user message.
    expect(latest.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Be kind.\n\nHi Ada' } },
    ]);
    const first = await client.getPrompt({
      name: 'greet@1',
      arguments: { name: 'Ada', mood: 'fine' },
    });
    expect(first.messages[0]?.content).toEqual({
      type: 'text',
      text: 'Be kind.\n\nHello Ada, feeling fine',
    });
    await expect(client.getPrompt({ name: 'greet', arguments: {} })).rejects.toThrow(
      'Missing variable: "name"',
    );
    await expect(client.getPrompt({ name: 'nothing' })).rejects.toThrow(
      'Prompt "nothing" not found',
    );

    // A server for agents serves released prompts: only those labelled, at that version.
    const released = await connect('--label', 'production');
    expect((await released.listPrompts()).prompts.map((p) => p.name)).toEqual(['greet']);
    const served = await released.getPrompt({ name: 'greet', arguments: { name: 'Bo' } });
    expect(served.messages[0]?.content).toEqual({ type: 'text', text: 'Be kind.\n\nHello Bo' });
    await expect(released.getPrompt({ name: 'draft', arguments: { x: '1' } })).rejects.toThrow(
      'has no label "production"',
    );
    // Not another version either, by prompt, tool or resource.
    await expect(
      released.getPrompt({ name: 'greet@2', arguments: { name: 'Bo' } }),
    ).rejects.toThrow('serves only the versions labelled "production"');
    const tool = await released.callTool({
      name: 'render_prompt',
      arguments: { name: 'greet', arguments: { name: 'Bo' } },
    });
    expect(JSON.parse(textOf(tool)).version).toBe(1);
    const listed = (await released.listResources()).resources.map((r) => r.uri);
    expect(listed).toEqual(['prompt-runner://prompts/greet.prompt']);
    const text = await released.readResource({ uri: 'prompt-runner://prompts/greet.prompt' });
    expect((text.contents[0] as { text: string }).text).toContain('Hello {{name}}');
  });

  it('tells the client when another process changes the library', async () => {
    const { connect, cli } = await setup();
    const client = await connect();
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(PromptListChangedNotificationSchema, () => resolve()),
    );
    await cli(['prompt', 'create', 'fresh', '-p', 'app', '--body', 'New']);
    await changed;
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('fresh');
  }, 20_000);

  it('renders, runs and searches as tools; bad input is a tool error', async () => {
    const { connect, server } = await setup();
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => [tool.name, tool.annotations?.readOnlyHint])).toEqual([
      ['render_prompt', true],
      ['run_prompt', false],
      ['search_history', true],
      ['plan_feature', false],
      ['get_session', true],
    ]);
    const rendered = await client.callTool({
      name: 'render_prompt',
      arguments: { name: 'greet', arguments: { name: 'Ada' } },
    });
    expect(JSON.parse(textOf(rendered)).messages).toEqual([
      { role: 'system', content: [{ text: 'Be kind.' }] },
      { role: 'user', content: [{ text: 'Hi Ada' }] },
    ]);
    const ran = await client.callTool({
      name: 'run_prompt',
      arguments: { name: 'greet', arguments: { name: 'Ada' } },
    });
    const answer = JSON.parse(textOf(ran));
    expect(answer).toMatchObject({ output: 'Echo: Hi Ada', executionId: expect.any(String) });
    expect(server.requests).toHaveLength(1);
    const found = await client.callTool({ name: 'search_history', arguments: { query: 'Ada' } });
    expect(JSON.parse(textOf(found))[0]).toMatchObject({ id: answer.executionId });

    for (const [name, args, message] of [
      ['run_prompt', { name: 'greet' }, 'Missing variable: "name"'],
      ['render_prompt', { name: 5 }, 'Invalid render_prompt input at name'],
      ['search_history', { query: '!!!' }, 'Give at least one word to search for'],
      ['no_such_tool', {}, 'Unknown tool "no_such_tool"'],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(textOf(result), name).toContain(message);
    }
    expect(server.requests).toHaveLength(1);
  });

  it('cancels the model call of a cancelled request, and records it as cancelled', async () => {
    const { connect, cli } = await setup(() => ({ content: 'late', delayMs: 10_000 }));
    const client = await connect();
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'run_prompt', arguments: { name: 'greet', arguments: { name: 'Ada' } } },
      undefined,
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 500);
    await expect(call).rejects.toThrow();
    let executions: { status: string }[] = [];
    for (let i = 0; i < 50 && executions.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      executions = JSON.parse((await cli(['execution', 'list', '--json'])).stdout);
    }
    expect(executions.map((e) => e.status)).toEqual(['cancelled']);
  }, 20_000);

  it('plans a feature with progress, gets the session, and reads plans and prompts as resources', async () => {
    const PLAN = `<analysis_template>Analyse {{featureRequest}}:\n{{codebaseContext}}</analysis_template>
<implementation_template>Plan {{featureRequest}} from {{analysisResults}}</implementation_template>`;
    const { connect, cli, home } = await setup((body) => {
      const prompt = String(body.messages.at(-1)?.content ?? '');
      if (prompt.includes('<analysis_template>')) return { content: PLAN };
      if (prompt.startsWith('You are choosing the code')) return { content: '{"files": []}' };
      if (prompt.startsWith('Analyse')) return { content: 'Touch app.ts:1.\nComplexity: low' };
      if (prompt.startsWith('Plan')) return { content: '1. Change app.ts:1.' };
      return { content: `Echo: ${prompt}` };
    });
    mkdirSync(join(home, 'code'), { recursive: true });
    writeFileSync(join(home, 'code', 'app.ts'), 'export const app = 1;\n');
    await cli(['project', 'update', 'app', '--root', 'code']);
    const client = await connect();
    const progress: string[] = [];
    const planned = await client.callTool(
      { name: 'plan_feature', arguments: { feature: 'add a cache' } },
      undefined,
      { onprogress: (p) => progress.push(`${p.progress}/${p.total} ${p.message}`) },
    );
    const result = JSON.parse(textOf(planned));
    expect(result).toMatchObject({ status: 'completed', plan: '1. Change app.ts:1.' });
    // In order; the SDK client may drop a notification that arrives with the result (seen on
    // Node 24), so the last ones are not required.
    const phases = ['0/3 plan…', '1/3 analyze…', '2/3 implement…', '3/3 done'];
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress).toEqual(phases.slice(0, progress.length));
    const session = await client.callTool({
      name: 'get_session',
      arguments: { session: result.sessionId.slice(0, 8) },
    });
    expect(JSON.parse(textOf(session))).toMatchObject({ featureRequest: 'add a cache' });
    const again = await client.callTool({
      name: 'plan_feature',
      arguments: { session: result.sessionId, phase: 'implement' },
    });
    expect(JSON.parse(textOf(again)).plan).toBe('1. Change app.ts:1.');

    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    const plan = `prompt-runner://sessions/${result.sessionId}/implementation.md`;
    expect(uris).toContain(plan);
    expect(uris).toContain('prompt-runner://prompts/greet.prompt');
    expect((await client.readResource({ uri: plan })).contents[0]).toMatchObject({
      text: '1. Change app.ts:1.',
      mimeType: 'text/markdown',
    });
    const prompt = await client.readResource({ uri: 'prompt-runner://prompts/greet.prompt' });
    expect((prompt.contents[0] as { text: string }).text).toContain('description: Greets someone');
    await expect(client.readResource({ uri: 'prompt-runner://nothing' })).rejects.toThrow(
      'No resource prompt-runner://nothing',
    );
    // Another project's server does not find this project's sessions.
    await cli(['project', 'create', 'other']);
    const other = await connect('-p', 'other');
    const hidden = await other.callTool({
      name: 'get_session',
      arguments: { session: result.sessionId },
    });
    expect(textOf(hidden)).toContain('in project "other"');
    await expect(other.readResource({ uri: plan })).rejects.toThrow('in project "other"');
    const bad = await client.callTool({ name: 'plan_feature', arguments: {} });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('Give a feature to plan, or a session');
  }, 30_000);

  it('answers concurrent calls, and survives a malformed message', async () => {
    const { connect, env, home } = await setup();
    const client = await connect();
    const names = Array.from({ length: 12 }, (_, i) => `N${i}`);
    const results = await Promise.all(
      names.map((name) => client.getPrompt({ name: 'greet', arguments: { name } })),
    );
    expect(
      results.map((r) => (r.messages[0]?.content as { text?: string } | undefined)?.text),
    ).toEqual(names.map((name) => `Be kind.\n\nHi ${name}`));

    const child = spawn(process.execPath, [BIN, 'mcp', '-p', 'app'], { env, cwd: home });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const lines = [
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      },
      'this is not JSON',
      { jsonrpc: '1.0', id: 4, method: 'prompts/list' },
      '',
      { jsonrpc: '2.0', id: 2, method: 'no/such/method' },
      { jsonrpc: '2.0', id: 3, method: 'prompts/list' },
    ];
    child.stdin.end(
      `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`,
    );
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const answers = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // A line that is not JSON, and a message that is not JSON-RPC, are answered too.
    expect(answers.find((a) => a.id === null).error.code).toBe(-32700);
    expect(answers.find((a) => a.id === 4).error.code).toBe(-32600);
    expect(
      answers
        .map((a) => a.id)
        .filter((id) => id !== null && id !== 4)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(answers.find((a) => a.id === 2).error.code).toBe(-32601);
    expect(answers.find((a) => a.id === 3).result.prompts).toHaveLength(2);
  });
});
