// `.prompt` features at run time, in-process against a real database and a local
// OpenAI-compatible server: structured output (asked, parsed, validated, asked again), typed
// inputs, media parts as sent, history and context data from files, config keys sent as given.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

const RECIPE = `---
model: test-model
config:
  temperature: 3
  topK: 40
input:
  schema:
    dish: string, what to cook
    servings?: integer
output:
  format: json
  schema:
    title: string
    minutes: integer, cooking time
    tags?(array): string
---
{{role "system"}}You answer with a recipe.
{{role "user"}}A recipe for {{dish}}{{#if servings}} for {{servings}}{{/if}}.
`;

async function setup(reply?: Reply) {
  const server = await modelServer(reply);
  const home = tempDir();
  const root = join(home, 'code');
  mkdirSync(root);
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-0123456789' });
  const cli = (args: string[]) => runInProcess(args, { env, cwd: home });
  await cli(['project', 'create', 'app', '--root', root]);
  await cli(['project', 'use', 'app']);
  writeFileSync(join(home, 'recipe.prompt'), RECIPE);
  expect((await cli(['prompt', 'import', 'recipe.prompt'])).code).toBe(0);
  return { server, home, root, cli };
}

const json = (result: { stdout: string }) => JSON.parse(result.stdout);
const answer = (value: unknown) => ({ content: JSON.stringify(value) });

describe('structured output', () => {
  it('asks for the schema, parses the answer and prints it as data', async () => {
    const { cli, server } = await setup(() => answer({ title: 'Soup', minutes: 20 }));
    const result = await cli(['prompt', 'run', 'recipe', '--var', 'dish=soup', '--json']);
    expect(result.code).toBe(0);
    expect(json(result)).toMatchObject({ status: 'success', data: { title: 'Soup', minutes: 20 } });
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'answer',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            minutes: { type: 'integer', description: 'cooking time' },
            tags: { type: ['array', 'null'], items: { type: 'string' } },
          },
          required: ['title', 'minutes', 'tags'],
          additionalProperties: false,
        },
      },
    });
    // Config keys are sent as given; the server judges them.
    expect(body).toMatchObject({ temperature: 3, topK: 40, model: 'test-model' });
    expect(body.messages).toEqual([
      { role: 'system', content: 'You answer with a recipe.\n' },
      // The body of a file with front matter is trimmed, as Dotprompt reads it.
      { role: 'user', content: 'A recipe for soup.' },
    ]);
  });

  it('asks again once with the errors, and takes the fixed answer', async () => {
    const replies = [
      answer({ title: 'Soup', minutes: 'twenty' }),
      answer({ title: 'Soup', minutes: 20 }),
    ];
    const { cli, server } = await setup((_request, index) => replies[index] ?? {});
    const result = json(await cli(['prompt', 'run', 'recipe', '--var', 'dish=soup', '--json']));
    expect(result.data).toEqual({ title: 'Soup', minutes: 20 });
    const retry = server.requests[1]?.body.messages as { role: string; content: string }[];
    expect(retry.at(-2)).toEqual({
      role: 'assistant',
      content: '{"title":"Soup","minutes":"twenty"}',
    });
    expect(retry.at(-1)?.content).toContain('/minutes: must be integer');
    const executions = json(await cli(['execution', 'list', '--json']));
    expect(executions).toHaveLength(2);
  });

  it('fails with the errors when the second answer is wrong too, both kept', async () => {
    const { cli, server } = await setup(() => ({ content: 'Soup takes twenty minutes.' }));
    const result = await cli(['prompt', 'run', 'recipe', '--var', 'dish=soup', '--json']);
    expect(result.code).toBe(1);
    expect(json(result)).toMatchObject({
      status: 'error',
      error: { code: 'INVALID_OUTPUT' },
      executionId: expect.any(String),
    });
    expect(result.stderr).toMatch(/does not follow the output schema.*not JSON/);
    expect(server.requests).toHaveLength(2);
    // An answer that does not follow the schema is never cached.
    await cli(['prompt', 'run', 'recipe', '--var', 'dish=soup']);
    expect(server.requests).toHaveLength(4);
  });

  it('asks for a JSON object where the server refuses schemas (config per endpoint)', async () => {
    const { cli, server } = await setup((request) =>
      (request.response_format as { type: string }).type === 'json_schema'
        ? { status: 400, message: "response_format 'json_schema' is not supported" }
        : answer({ title: 'Tea', minutes: 3 }),
    );
    const refused = await cli(['prompt', 'run', 'recipe', '--var', 'dish=tea']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("'json_schema' is not supported");
    expect(refused.stderr).toContain('config set structuredOutput');
    const host = new URL(server.url).host;
    const modes = JSON.stringify({ [host]: 'json_object' });
    expect((await cli(['config', 'set', 'structuredOutput', modes])).code).toBe(0);
    const result = json(await cli(['prompt', 'run', 'recipe', '--var', 'dish=tea', '--json']));
    expect(result.data).toEqual({ title: 'Tea', minutes: 3 });
    expect(server.requests.at(-1)?.body.response_format).toEqual({ type: 'json_object' });
    // Without a schema in the request, the model is told the shape in words.
    const sent = server.requests.at(-1)?.body.messages as { content: string }[];
    expect(sent.at(-1)?.content).toMatch(
      /conform to the following schema:\n\n```\n\{"type":"object"/,
    );
  });
});

describe('typed inputs', () => {
  it('converts --var values to the schema types and names a wrong or missing one', async () => {
    const { cli, server } = await setup(() => answer({ title: 'Pie', minutes: 50 }));
    const ok = await cli(['prompt', 'run', 'recipe', '--var', 'dish=pie', '--var', 'servings=4']);
    expect(ok.code).toBe(0);
    expect(JSON.stringify(server.requests[0]?.body.messages)).toContain('for 4.');
    const wrong = await cli([
      'prompt',
      'render',
      'recipe',
      '--var',
      'dish=pie',
      '--var',
      'servings=four',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Input "servings" must be integer');
    const missing = await cli(['prompt', 'render', 'recipe']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Input "dish" is required');
  });
});

describe('turns, history, context data and media', () => {
  it('sends history from a file, context data, and local media as data URLs', async () => {
    const { cli, server, home, root } = await setup();
    writeFileSync(join(root, 'photo.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    writeFileSync(join(root, '.env'), 'KEY=secret');
    symlinkSync('/etc/hostname', join(root, 'outside.png'));
    writeFileSync(
      join(home, 'look.prompt'),
      '{{role "system"}}You see for {{@state.user}}.\n{{history}}\n{{role "user"}}What is in {{media url=image}}?',
    );
    expect((await cli(['prompt', 'import', 'look.prompt'])).code).toBe(0);
    writeFileSync(
      join(home, 'chat.jsonl'),
      '{"role":"user","content":"Hi"}\n{"role":"assistant","content":"Hello!"}\n',
    );
    writeFileSync(join(home, 'state.yaml'), 'state:\n  user: Ada\n');
    const run = await cli([
      'prompt',
      'run',
      'look',
      '--var',
      'image=photo.png',
      '--history',
      'chat.jsonl',
      '--context-data',
      'state.yaml',
    ]);
    expect(run.code).toBe(0);
    expect(server.requests[0]?.body.messages).toEqual([
      { role: 'system', content: 'You see for Ada.\n' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in ' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'text', text: '?' },
        ],
      },
    ]);
    // The execution keeps the image's hash, not its bytes.
    const [execution] = json(await cli(['execution', 'list', '--json']));
    const shown = json(await cli(['execution', 'show', execution.id, '--json']));
    expect(JSON.stringify(shown.messages)).toMatch(/data:image\/png;sha256=[0-9a-f]{64};chars=12/);

    for (const [file, reason] of [
      ['.env', 'may hold secrets'],
      ['outside.png', 'outside'],
      ['../recipe.prompt', 'outside'],
    ]) {
      const refused = await cli([
        'prompt',
        'run',
        'look',
        '--var',
        `image=${file}`,
        '--history',
        'chat.jsonl',
      ]);
      expect(refused.code, file).toBe(2);
      expect(refused.stderr, file).toContain(reason);
    }
    expect(server.requests).toHaveLength(1);
  });
});

describe('workflows and evals', () => {
  it('a workflow step reads fields of a structured answer; history comes from an input', async () => {
    const { cli, server, home } = await setup((request) => {
      const last = JSON.stringify(request.messages.at(-1));
      return last.includes('A recipe')
        ? answer({ title: 'Soup', minutes: 20 })
        : { content: `turns: ${request.messages.length}` };
    });
    writeFileSync(join(home, 'chat.prompt'), '{{history}}{{role "user"}}Cook {{dish}}');
    expect((await cli(['prompt', 'import', 'chat.prompt'])).code).toBe(0);
    writeFileSync(
      join(home, 'flow.yaml'),
      [
        'name: flow',
        'inputs:',
        '  chat: {type: array}',
        'steps:',
        '  - id: recipe',
        '    prompt: recipe',
        '    vars: {dish: soup}',
        '  - id: cook',
        '    prompt: chat',
        '    vars: {dish: "{{steps.recipe.output.title}} for {{steps.recipe.output.minutes}} minutes"}',
        '    history: "{{json inputs.chat}}"',
        'outputs:',
        '  answer: "{{steps.cook.output}}"',
      ].join('\n'),
    );
    writeFileSync(
      join(home, 'inputs.yaml'),
      'chat:\n  - {role: user, content: Hi}\n  - {role: assistant, content: Hello}\n',
    );
    const run = await cli([
      'workflow',
      'run',
      'flow.yaml',
      '--inputs-file',
      'inputs.yaml',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(json(run).outputs).toEqual({ answer: 'turns: 3' });
    expect(server.requests[1]?.body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Cook Soup for 20 minutes' },
    ]);
  });

  it('an eval case gives history, and assertions judge fields of the structured answer', async () => {
    const { cli, home } = await setup((request) =>
      answer({ title: request.messages.length > 2 ? 'Second soup' : 'Soup', minutes: 20 }),
    );
    writeFileSync(
      join(home, 'recipe-eval.yaml'),
      [
        'prompts: [recipe]',
        'cases:',
        '  - vars: {dish: soup}',
        '    assert:',
        '      - {type: equals, field: title, value: Soup}',
        '      - {type: equals, field: minutes, value: 20}',
        '      - {type: json-schema, value: {required: [title]}}',
        '  - vars: {dish: soup}',
        '    history: [{role: user, content: Earlier}, {role: model, content: [{text: Soup}]}]',
        '    assert:',
        '      - {type: starts-with, field: title, value: Second}',
        '      - {type: equals, field: missing, value: 1}',
      ].join('\n'),
    );
    const result = await cli(['eval', 'run', 'recipe-eval.yaml', '--json']);
    expect(result.code).toBe(1);
    const shown = json(await cli(['eval', 'show', json(result).id, '--json']));
    const cells = shown.results as {
      caseId: string;
      assertions: { pass: boolean; reason: string }[];
    }[];
    expect(cells).toHaveLength(2);
    const plain = cells.find((cell) => cell.assertions.length === 3);
    const withHistory = cells.find((cell) => cell.assertions.length === 2);
    expect(plain?.assertions.map((a) => a.pass)).toEqual([true, true, true]);
    expect(withHistory?.assertions.map((a) => a.pass)).toEqual([true, false]);
    expect(withHistory?.assertions[1]?.reason).toContain('no field missing');
    // Two cases with the same vars differ by their history: their ids differ.
    expect(plain?.caseId).not.toBe(withHistory?.caseId);
  });
});
