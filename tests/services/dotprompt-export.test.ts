// Every `.prompt` file prompt-runner exports is read by the official Dotprompt library and
// renders to the same messages as prompt-runner renders the stored prompt, for prompts that use
// only Dotprompt's helpers; the front matter survives an import and an export.
import { Dotprompt } from 'dotprompt';
import { describe, expect, it } from 'vitest';
import type { PromptMessage } from '../../src/core/templating/messages.js';
import { ProjectRepository } from '../../src/db/repositories/project-repository.js';
import { PromptRepository } from '../../src/db/repositories/prompt-repository.js';
import { PromptService } from '../../src/services/prompt-service.js';
import {
  exportPromptFile,
  importPromptFiles,
  type PromptFileText,
} from '../../src/services/prompt-transfer.js';
import { testDatabase } from '../support/db.js';

async function promptService() {
  const db = await testDatabase();
  const projects = new ProjectRepository(db.prisma);
  const service = new PromptService({ prompts: new PromptRepository(db.prisma), projects });
  await projects.create({ name: 'docs' });
  return { service, scope: await service.scope('docs') };
}

type Setup = Awaited<ReturnType<typeof promptService>>;
type Extras = { context?: Record<string, unknown>; history?: PromptMessage[] };

/** Imports the files as one folder; each must be created. */
async function importAll({ service, scope }: Setup, files: Record<string, string>) {
  const texts: PromptFileText[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  const results = await importPromptFiles(service, scope, texts, { atomic: true });
  expect(results.map((r) => [r.name, r.status, r.error])).toEqual(
    results.map((r) => [r.name, 'created', null]),
  );
}

async function exportOf({ service, scope }: Setup, name: string) {
  return exportPromptFile((await service.renderer(scope, name)).view);
}

/** The front matter as Dotprompt reads it, without what only prompt-runner writes. */
function rawOf(source: string) {
  const { name: _name, ...raw } = new Dotprompt().parse(source).raw ?? {};
  return Object.fromEntries(
    Object.entries(raw).filter(([key]) => !key.startsWith('prompt-runner.')),
  );
}

describe('exported .prompt files, read by the dotprompt library', () => {
  it('render a prompt made with a separate system text as prompt-runner renders it', async () => {
    const setup = await promptService();
    await setup.service.create(setup.scope, 'sum', {
      body: 'Summarise {{text}}',
      system: 'You are brief, {{who}}.',
      description: 'Summaries',
      model: 'gpt-4o-mini',
      parameters: { temperature: 0.2, maxTokens: 300 },
      tags: ['docs'],
    });
    const variables = { text: 'the report', who: 'Ana' };
    const ours = await setup.service.render(setup.scope, 'sum', variables);
    const exported = await exportOf(setup, 'sum');
    const theirs = await new Dotprompt().render(exported, { input: variables });

    expect(theirs.messages).toEqual(ours.messages);
    expect(theirs.messages).toEqual([
      { role: 'system', content: [{ text: 'You are brief, Ana.' }] },
      { role: 'user', content: [{ text: 'Summarise the report' }] },
    ]);
    expect(theirs.model).toBe('gpt-4o-mini');
    expect(theirs.config).toEqual({ temperature: 0.2, maxOutputTokens: 300 });
    const again = await importPromptFiles(setup.service, setup.scope, [
      { path: 'sum.prompt', text: exported },
    ]);
    expect(again.map((r) => [r.name, r.status, r.version])).toEqual([['sum', 'unchanged', 1]]);
  });

  it('render imported turns, history, media, sections, helpers and partials alike', async () => {
    const setup = await promptService();
    const crlf = (text: string) => text.replaceAll('\n', '\r\n');
    const files = {
      'chat.prompt': [
        '# Copyright 2025 Example Ltd.',
        '# SPDX-License-Identifier: Apache-2.0',
        '---',
        'model: gpt-4o-mini',
        '---',
        '{{role "system"}}',
        'You help {{@state.user}} with {{topic}}.',
        '{{role "user"}}',
        'What is 2 + 2?',
        '{{role "model"}}',
        '4',
        '{{history}}',
        '{{role "user"}}',
        '{{#ifEquals tone "formal"}}Kindly answer{{else}}Answer{{/ifEquals}}: {{question}}',
        '{{#unlessEquals tone "formal"}}No need for manners.{{/unlessEquals}}',
        '',
      ].join('\n'),
      'look.prompt': crlf(
        [
          '---',
          'input:',
          '  schema:',
          '    photo: string',
          '---',
          'Describe this photo:',
          '{{media url=photo contentType="image/png"}}',
          '{{section "notes"}}',
          'Known facts:',
          '{{json facts indent=2}}',
          '{{#each items}}- {{this}}{{#if @last}}.{{/if}}',
          '{{/each}}{{#with person}}About {{name}}:{{/with}}',
          '{{> card person title="Dr"}}',
          '{{> card}}',
          '{{#if @state.debug}}(debug){{/if}}',
          '',
        ].join('\n'),
      ),
      '_card.prompt': 'Card: {{#if title}}{{title}} {{/if}}{{name}}\n',
    };
    await importAll(setup, files);
    const dotprompt = new Dotprompt({ partials: { card: await exportOf(setup, 'card') } });
    /** prompt-runner's render of the stored prompt, and Dotprompt's render of its export. */
    const renderBoth = async (name: string, input: Record<string, unknown>, extras: Extras) => {
      const ours = await setup.service.render(setup.scope, name, input, undefined, extras);
      const theirs = await dotprompt.render(await exportOf(setup, name), {
        input,
        context: extras.context,
        messages: extras.history,
      });
      return { ours: ours.messages, theirs: theirs.messages };
    };

    const chat = await renderBoth(
      'chat',
      { topic: 'sums', tone: 'casual', question: 'and 3 + 3?' },
      {
        context: { state: { user: 'Ana' } },
        history: [
          { role: 'user', content: [{ text: 'Hi' }] },
          { role: 'model', content: [{ text: 'Hello!' }] },
        ],
      },
    );
    expect(chat.theirs).toEqual(chat.ours);
    const roles = ['system', 'user', 'model', 'user', 'model', 'user'];
    expect(chat.ours.map((m) => [m.role, m.metadata?.purpose])).toEqual(
      roles.map((role, i) => [role, i === 3 || i === 4 ? 'history' : undefined]),
    );

    const look = await renderBoth(
      'look',
      {
        photo: 'https://example.com/cat.png',
        facts: { legs: 4, names: ['Tom', 'Felix'] },
        items: ['whiskers', 'tail'],
        person: { name: 'Lee' },
        name: 'Kim',
      },
      { context: { state: { debug: true } } },
    );
    expect(look.theirs).toEqual(look.ours);
    expect(look.ours[0]?.content.slice(1, 3)).toEqual([
      { media: { url: 'https://example.com/cat.png', contentType: 'image/png' } },
      { metadata: { purpose: 'notes', pending: true } },
    ]);
  });

  it('keep the front matter through an import and an export', async () => {
    const setup = await promptService();
    const original = [
      '---',
      'model: googleai/gemini-2.0-flash',
      'config:',
      '  temperature: 3',
      '  topK: 40',
      '  maxOutputTokens: 400',
      '  stopSequences: [END, STOP]',
      'input:',
      '  schema:',
      '    question: string, what the user asks',
      '    level(enum, how formal to be): [LOW, HIGH]',
      '    tags?(array, labels to consider): string',
      '    count?: integer',
      '    (*): string',
      '  default:',
      '    level: LOW',
      'output:',
      '  format: json',
      '  schema:',
      '    answer: string, the answer',
      '    sources?(array): string',
      'tools: [search, calculator]',
      'myext.owner: x',
      'custom: prop',
      'variant: formal',
      '---',
      '{{role "system"}}Answer at level {{level}}.',
      '{{role "user"}}{{question}}',
      '',
    ].join('\n');
    await importAll(setup, { 'ask.prompt': original });
    const exported = await exportOf(setup, 'ask.formal');
    expect(rawOf(exported)).toEqual(rawOf(original));

    const dotprompt = new Dotprompt();
    const fields = async (source: string) => {
      const { input, output, config, ext, tools } = await dotprompt.renderMetadata(source);
      const { 'prompt-runner': _ours, ...others } = ext as Record<string, unknown>;
      return { input, output, config, ext: others, tools };
    };
    expect(await fields(exported)).toEqual(await fields(original));

    // Dotprompt applies `input.default` when given the prompt's metadata as render options.
    const input = { question: 'Why?' };
    const ours = await setup.service.render(setup.scope, 'ask.formal', input);
    for (const source of [exported, original]) {
      const theirs = await dotprompt.render(source, { input }, dotprompt.parse(source));
      expect(theirs.messages).toEqual(ours.messages);
    }

    const again = await importPromptFiles(setup.service, setup.scope, [
      { path: 'ask.formal.prompt', text: exported },
    ]);
    expect(again.map((r) => [r.name, r.status, r.version])).toEqual([
      ['ask.formal', 'unchanged', 1],
    ]);
  });

  it('write a partial as its body alone, and a front-matter-only file that imports again', async () => {
    const setup = await promptService();
    const card = 'Card: {{#if title}}{{title}} {{/if}}{{name}}\n';
    const schemaOnly = '---\noutput:\n  format: json\n  schema:\n    answer: string\n---\n';
    await importAll(setup, { '_card.prompt': card, 'shape.prompt': schemaOnly });

    expect.soft(await exportOf(setup, 'card')).toBe(card);

    const exported = await exportOf(setup, 'shape');
    expect(rawOf(exported)).toEqual(rawOf(schemaOnly));
    const dotprompt = new Dotprompt();
    expect((await dotprompt.renderMetadata(exported)).output).toEqual(
      (await dotprompt.renderMetadata(schemaOnly)).output,
    );
    const ours = await setup.service.render(setup.scope, 'shape', {});
    expect((await dotprompt.render(exported, {})).messages).toEqual(ours.messages);
    const again = await importPromptFiles(setup.service, setup.scope, [
      { path: 'shape.prompt', text: exported },
    ]);
    expect(again.map((r) => [r.name, r.status, r.version])).toEqual([['shape', 'unchanged', 1]]);
  });
});
