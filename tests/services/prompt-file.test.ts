import { describe, expect, it } from 'vitest';
import { formatPromptFile, parsePromptFile } from '../../src/services/prompt-file.js';

const DOTPROMPT = `---
name: summarize
description: Summarise a text
model: gpt-4o-mini
config:
  temperature: 0.3
  maxOutputTokens: 400
  topP: 0.9
  stopSequences: ["###"]
input:
  schema:
    text: string, the text to summarise
    style?: string
  default:
    style: neutral
output:
  format: text
prompt-runner.tags: [docs, short]
prompt-runner.message: first import
---
{{role "system" ~}}
You write {{style}} summaries.
{{~role "user" ~}}
Summarise:
{{text}}
`;

describe('parsePromptFile', () => {
  it('reads Dotprompt fields, Picoschema variables and role markers', () => {
    expect(parsePromptFile(DOTPROMPT, 'summarize.prompt')).toEqual({
      name: 'summarize',
      description: 'Summarise a text',
      model: 'gpt-4o-mini',
      parameters: { temperature: 0.3, maxTokens: 400, topP: 0.9, stop: ['###'] },
      variables: [
        { name: 'text', required: true, description: 'the text to summarise' },
        { name: 'style', required: false, default: 'neutral' },
      ],
      metadata: {
        input: { schema: { text: 'string, the text to summarise', 'style?': 'string' } },
        output: { format: 'text' },
      },
      tags: ['docs', 'short'],
      category: undefined,
      message: 'first import',
      variant: undefined,
      system: 'You write {{style}} summaries.',
      body: 'Summarise:\n{{text}}',
      hasFrontMatter: true,
    });
  });

  it('keeps role markers in the body unless written as an export writes a system text', () => {
    const text = '---\nmodel: m\n---\n{{role "system"}}\nBe brief.\n{{role "user"}}\nHi\n';
    const parsed = parsePromptFile(text, 'x.prompt');
    expect(parsed.system).toBeUndefined();
    expect(parsed.body).toBe('{{role "system"}}\nBe brief.\n{{role "user"}}\nHi');
  });

  it('takes a file without front matter as a body alone, its last newline kept', () => {
    const parsed = parsePromptFile('Just {{this}}\n', 'plain.prompt');
    expect(parsed).toMatchObject({ body: 'Just {{this}}\n', variables: [], parameters: {} });
    expect(parsed.system).toBeUndefined();
    expect(parsed.hasFrontMatter).toBe(false);
  });

  it('keeps every other field as written, and reads license lines and front matter alone', () => {
    const text = [
      '# Copyright 2026 Example',
      '# SPDX-License-Identifier: Apache-2.0',
      '---',
      'model: cool-model',
      'config:',
      '  temperature: 3',
      '  topK: 40',
      'tools: [lookup]',
      'myext.owner: team-a',
      'custom: prop',
      'input:',
      '  schema:',
      '    tags(array, the tags): string',
      '    kind?(enum): [A, B]',
      '    (*): string',
      '---',
      '',
    ].join('\r\n');
    const parsed = parsePromptFile(text, 'x.prompt');
    expect(parsed.body).toBe('');
    expect(parsed.parameters).toEqual({ temperature: 3, extra: { topK: 40 } });
    expect(parsed.metadata).toEqual({
      tools: ['lookup'],
      'myext.owner': 'team-a',
      custom: 'prop',
      input: {
        schema: { 'tags(array, the tags)': 'string', 'kind?(enum)': ['A', 'B'], '(*)': 'string' },
      },
    });
    expect(parsed.variables).toEqual([
      { name: 'tags', required: true, description: 'the tags' },
      { name: 'kind', required: false },
    ]);
    // `#` lines with no front matter after them are the body.
    expect(parsePromptFile('# Title\nText\n', 'y.prompt').body).toBe('# Title\nText\n');
  });

  it('names the line of a YAML error and the path of a bad field', () => {
    expect(() => parsePromptFile('---\nname: [unclosed\n---\nx', 'a.prompt')).toThrow(
      /a\.prompt: front matter is not valid YAML at line \d+, column \d+: /,
    );
    expect(() => parsePromptFile('---\nconfig:\n  temperature: hot\n---\nx', 'b.prompt')).toThrow(
      /b\.prompt: invalid front matter at config\.temperature/,
    );
    expect(() =>
      parsePromptFile('---\nconfig:\n  maxOutputTokens: 2.5\n---\nx', 'c.prompt'),
    ).toThrow(/at config\.maxOutputTokens/);
    expect(() => parsePromptFile('---\nprompt-runner.tags: nope\n---\nx', 'd.prompt')).toThrow(
      /at prompt-runner\.tags/,
    );
  });
});

describe('formatPromptFile', () => {
  it('writes what parsePromptFile reads back unchanged', () => {
    const source = {
      name: 'review',
      description: 'Code review',
      tags: ['code'],
      category: 'quality',
      version: {
        body: 'Review this diff:\n{{diff}}\n\n',
        system: 'You are strict.\nBe brief.',
        variables: [
          { name: 'diff', required: true, description: 'unified diff' },
          { name: 'depth', required: false, default: 3 },
        ],
        model: 'llama3.1',
        parameters: { temperature: 0, maxTokens: 800, seed: 42, extra: { topK: 3 } },
        metadata: { output: { format: 'json', schema: { ok: 'boolean' } }, 'x.y': 1 },
        message: 'tighter',
      },
    };
    const text = formatPromptFile(source);
    expect(text).toContain('maxOutputTokens: 800');
    expect(text).toContain('prompt-runner.category: quality');
    const parsed = parsePromptFile(text, 'review.prompt');
    expect(parsed).toEqual({
      name: 'review',
      description: 'Code review',
      model: 'llama3.1',
      parameters: source.version.parameters,
      variables: source.version.variables,
      metadata: {
        ...source.version.metadata,
        input: { schema: { diff: 'any, unified diff', 'depth?': 'any' } },
      },
      tags: ['code'],
      category: 'quality',
      message: 'tighter',
      variant: undefined,
      system: source.version.system,
      // Dotprompt trims the body of a file with front matter.
      body: source.version.body.trim(),
      hasFrontMatter: true,
    });
  });

  it('writes a partial with nothing else to say as its body alone', () => {
    const version = {
      body: 'Hello {{name}}',
      system: null,
      variables: [],
      model: null,
      parameters: {},
      metadata: { 'prompt-runner.partial': true },
      message: null,
    };
    const partial = { name: 'card', description: null, tags: [], category: null, version };
    expect(formatPromptFile(partial)).toBe('Hello {{name}}');
    expect(formatPromptFile({ ...partial, description: 'A card' })).toContain(
      'description: A card',
    );
  });
});
