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
{{role "system"}}
You write {{style}} summaries.
{{role "user"}}
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
      tags: ['docs', 'short'],
      category: undefined,
      message: 'first import',
      system: 'You write {{style}} summaries.',
      body: 'Summarise:\n{{text}}',
    });
  });

  it('takes a file without front matter as a body alone', () => {
    const parsed = parsePromptFile('Just {{this}}\n', 'plain.prompt');
    expect(parsed).toMatchObject({ body: 'Just {{this}}', variables: [], parameters: {} });
    expect(parsed.system).toBeUndefined();
  });

  it('names the line of a YAML error and the path of a bad field', () => {
    expect(() => parsePromptFile('---\nname: [unclosed\n---\nx', 'a.prompt')).toThrow(
      /a\.prompt: front matter is not valid YAML at line \d+, column \d+: /,
    );
    expect(() => parsePromptFile('---\nconfig:\n  temperature: hot\n---\nx', 'b.prompt')).toThrow(
      /b\.prompt: invalid front matter at config\.temperature/,
    );
    expect(() =>
      parsePromptFile('---\nconfig:\n  maxOutputTokens: -5\n---\nx', 'c.prompt'),
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
        parameters: { temperature: 0, maxTokens: 800, seed: 42 },
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
      tags: ['code'],
      category: 'quality',
      message: 'tighter',
      system: source.version.system,
      body: source.version.body,
    });
  });
});
