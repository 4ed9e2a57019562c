import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { parseHistory, readHistory } from '../../src/services/chat-history.js';

function failure(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('readHistory', () => {
  it('reads an empty or blank file as an empty history', () => {
    expect(readHistory('', 'history.jsonl')).toEqual([]);
    expect(readHistory('\n  \n', 'history.json')).toEqual([]);
  });

  it('reads a JSON array of Dotprompt messages, metadata and all', () => {
    const text = JSON.stringify([
      { role: 'system', content: [{ text: 'Be brief.' }] },
      {
        role: 'user',
        content: [{ text: 'What is this?' }, { media: { url: 'a.png', contentType: 'image/png' } }],
        metadata: { turn: 1 },
      },
      { role: 'model', content: [{ text: 'A cat.', metadata: { source: 'log' } }] },
    ]);
    expect(readHistory(text, 'history.json')).toEqual([
      { role: 'system', content: [{ text: 'Be brief.' }] },
      {
        role: 'user',
        content: [{ text: 'What is this?' }, { media: { url: 'a.png', contentType: 'image/png' } }],
        metadata: { turn: 1 },
      },
      { role: 'model', content: [{ text: 'A cat.', metadata: { source: 'log' } }] },
    ]);
    // Tool turns are not sent yet: refused when read, by render as by run.
    const tool = JSON.stringify([{ role: 'tool', content: [{ text: '42' }] }]);
    expect(() => readHistory(tool, 'h.json')).toThrow('h.json index 0: role must be one of');
  });

  it('reads OpenAI messages: roles renamed, string content and every part type', () => {
    const text = JSON.stringify([
      { role: 'developer', content: 'Rules.' },
      {
        role: 'user',
        name: 'ann',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          {
            type: 'file',
            file: { file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' },
          },
        ],
      },
      { role: 'assistant', content: 'Seen.' },
    ]);
    expect(readHistory(text, 'history.json')).toEqual([
      { role: 'system', content: [{ text: 'Rules.' }] },
      {
        role: 'user',
        content: [
          { text: 'Look:' },
          { media: { url: 'https://x.test/a.png' } },
          { media: { url: 'data:audio/wav;base64,UklGRg==', contentType: 'audio/wav' } },
          { media: { url: 'data:application/pdf;base64,JVBE' } },
        ],
      },
      { role: 'model', content: [{ text: 'Seen.' }] },
    ]);
  });

  it('reads JSONL, one message a line, skipping blank lines and a BOM', () => {
    const text =
      '\uFEFF{"role":"user","content":"hi"}\r\n\r\n{"role":"model","content":[{"text":"hello"}]}\n';
    expect(readHistory(text, 'history.jsonl')).toEqual([
      { role: 'user', content: [{ text: 'hi' }] },
      { role: 'model', content: [{ text: 'hello' }] },
    ]);
  });

  it('names the line of a JSONL line that is not JSON', () => {
    const error = failure(() =>
      readHistory('{"role":"user","content":"a"}\n\n{"role": user}\n', 'history.jsonl'),
    );
    expect(error.message).toMatch(/^history\.jsonl line 3: not valid JSON \(/);
    expect(error.hint).toMatch(/JSONL/);
  });

  it('names the line and the roles allowed for an unknown role', () => {
    const text =
      '{"role":"user","content":"a"}\n{"role":"model","content":"b"}\n{"role":"bot","content":"c"}';
    expect(failure(() => readHistory(text, 'history.jsonl')).message).toBe(
      'history.jsonl line 3: role must be one of system, user, model, assistant, developer',
    );
  });

  it('names the index of a bad message in an array', () => {
    const text = JSON.stringify([{ role: 'user', content: 'a' }, { role: 'user' }]);
    expect(failure(() => readHistory(text, 'h.json')).message).toBe(
      'h.json index 1: content is missing (a string or an array of parts)',
    );
  });

  it('refuses null content, a non-object message and content of the wrong kind', () => {
    expect(
      failure(() => readHistory('{"role":"assistant","content":null}', 'h.jsonl')).message,
    ).toBe('h.jsonl line 1: content is missing (a string or an array of parts)');
    expect(failure(() => readHistory('"hello"', 'h.jsonl')).message).toBe(
      'h.jsonl line 1: a message is an object, got a string',
    );
    expect(failure(() => readHistory('{"role":"user","content":3}', 'h.jsonl')).message).toBe(
      'h.jsonl line 1: content must be a string or an array of parts, got a number',
    );
  });

  it('says which part is wrong and why', () => {
    const line = (content: unknown) => JSON.stringify({ role: 'user', content });
    expect(failure(() => readHistory(line([{ type: 'video' }]), 'h.jsonl')).message).toBe(
      'h.jsonl line 1: content[0].type must be one of text, image_url, input_audio, file',
    );
    expect(
      failure(() =>
        readHistory(line([{ text: 'a' }, { type: 'image_url', image_url: { url: 3 } }]), 'h.jsonl'),
      ).message,
    ).toBe('h.jsonl line 1: content[1].image_url.url: expected string');
    expect(
      failure(() =>
        readHistory(
          line([{ type: 'input_audio', input_audio: { data: 'x', format: 'ogg' } }]),
          'h.jsonl',
        ),
      ).message,
    ).toMatch(/^h\.jsonl line 1: content\[0\]\.input_audio\.format: /);
    expect(failure(() => readHistory(line([{ media: {} }]), 'h.jsonl')).message).toBe(
      'h.jsonl line 1: content[0].media.url: expected string',
    );
    expect(failure(() => readHistory(line([{ data: 1 }]), 'h.jsonl')).message).toMatch(
      /^h\.jsonl line 1: content\[0\] needs text or media/,
    );
    expect(failure(() => readHistory(line(['a']), 'h.jsonl')).message).toBe(
      'h.jsonl line 1: content[0] must be an object, got a string',
    );
  });

  it('refuses a JSON array that is not valid JSON', () => {
    expect(failure(() => readHistory('[{"role":"user",', 'h.json')).message).toMatch(
      /^h\.json: not valid JSON/,
    );
  });

  it('refuses metadata that is not an object', () => {
    const text = '{"role":"user","content":"a","metadata":"x"}';
    expect(failure(() => readHistory(text, 'h.jsonl')).message).toMatch(
      /^h\.jsonl line 1: metadata: /,
    );
  });
});

describe('parseHistory', () => {
  it('parses a value already read, naming it in errors', () => {
    expect(parseHistory([{ role: 'assistant', content: 'ok' }], 'case 2 history')).toEqual([
      { role: 'model', content: [{ text: 'ok' }] },
    ]);
    expect(failure(() => parseHistory({ role: 'user' }, 'case 2 history')).message).toBe(
      'case 2 history: expected an array of messages, got an object',
    );
    expect(
      failure(() => parseHistory([{ role: 1, content: 'a' }], 'case 2 history')).message,
    ).toMatch(/^case 2 history index 0: role must be one of/);
  });
});
