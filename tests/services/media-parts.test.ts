import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import type { ContentPart } from '../../src/core/model-client/types.js';
import type { PromptMessage } from '../../src/core/templating/messages.js';
import {
  createMediaReader,
  DEFAULT_MEDIA_BYTES,
  type MediaReader,
  toChatMessages,
} from '../../src/services/media-parts.js';

async function failure(run: () => unknown): Promise<ValidationError> {
  let error: unknown = new Error('expected a ValidationError');
  try {
    run();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('toChatMessages', () => {
  // Records what it is asked for, so the test sees which parts reach the reader.
  const asked: string[] = [];
  const reader: MediaReader = ({ url }) => {
    asked.push(url);
    return { type: 'image_url', image_url: { url } };
  };
  beforeEach(() => {
    asked.length = 0;
  });

  it('renames roles, joins text into a string and drops sections and empty messages', async () => {
    const messages: PromptMessage[] = [
      { role: 'system', content: [{ text: 'Be ' }, { text: 'brief.' }] },
      { role: 'user', content: [{ metadata: { purpose: 'context', pending: true } }] },
      { role: 'model', content: [{ text: 'Earlier answer' }] },
      {
        role: 'user',
        content: [{ text: 'Hi' }, { metadata: { purpose: 'output', pending: true } }],
      },
    ];
    expect(toChatMessages(messages, reader)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'assistant', content: 'Earlier answer' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(asked).toEqual([]);
  });

  it('sends a message with media as parts, in order', async () => {
    const messages: PromptMessage[] = [
      {
        role: 'user',
        content: [
          { text: 'Compare ' },
          { media: { url: 'a.png' } },
          { metadata: { purpose: 'x', pending: true } },
          { media: { url: 'b.png' } },
        ],
      },
    ];
    expect(toChatMessages(messages, reader)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare ' },
          { type: 'image_url', image_url: { url: 'a.png' } },
          { type: 'image_url', image_url: { url: 'b.png' } },
        ],
      },
    ]);
    expect(asked).toEqual(['a.png', 'b.png']);
  });

  it('refuses tool messages and media outside user messages', async () => {
    const tool: PromptMessage[] = [
      { role: 'user', content: [{ text: 'a' }] },
      { role: 'tool', content: [{ text: '42' }] },
    ];
    expect((await failure(() => toChatMessages(tool, reader))).message).toBe(
      'message 2: tool messages cannot be sent yet',
    );
    const model: PromptMessage[] = [{ role: 'model', content: [{ media: { url: 'a.png' } }] }];
    expect((await failure(() => toChatMessages(model, reader))).message).toBe(
      'message 1 (model) has media: only user messages can carry media',
    );
  });
});

describe('createMediaReader with remote and data: URLs', () => {
  const read = createMediaReader({ root: null, maxBytes: DEFAULT_MEDIA_BYTES });
  const image = (url: string): ContentPart => ({ type: 'image_url', image_url: { url } });

  it('sends http(s) images by URL, whether typed, named by extension or without a hint', async () => {
    expect(await read({ url: 'https://x.test/p', contentType: 'image/png' })).toEqual(
      image('https://x.test/p'),
    );
    expect(await read({ url: 'http://x.test/a/photo.JPG?size=2' })).toEqual(
      image('http://x.test/a/photo.JPG?size=2'),
    );
    expect(await read({ url: 'https://x.test/render' })).toEqual(image('https://x.test/render'));
  });

  it('refuses audio and documents by URL', async () => {
    const byType = await failure(() =>
      read({ url: 'https://x.test/talk', contentType: 'audio/wav' }),
    );
    expect(byType.message).toBe(
      'https://x.test/talk is audio/wav: only images can be given by URL; give audio and ' +
        'documents as a local path or a data: URL',
    );
    const byExtension = await failure(() => read({ url: 'https://x.test/report.pdf' }));
    expect(byExtension.message).toMatch(/is application\/pdf: only images can be given by URL/);
    expect((await failure(() => read({ url: 'https://' }))).message).toBe(
      'https:// is not a valid URL',
    );
  });

  it('sends data: URLs by their type: image, wav and mp3 audio, files', async () => {
    const png = `data:image/png;base64,${b64('png')}`;
    expect(await read({ url: png })).toEqual(image(png));
    expect(await read({ url: `data:audio/wav;base64,${b64('wav')}` })).toEqual({
      type: 'input_audio',
      input_audio: { data: b64('wav'), format: 'wav' },
    });
    expect(await read({ url: `data:audio/mpeg;base64,${b64('mp3')}` })).toEqual({
      type: 'input_audio',
      input_audio: { data: b64('mp3'), format: 'mp3' },
    });
    const pdf = `data:application/pdf;base64,${b64('%PDF')}`;
    expect(await read({ url: pdf })).toEqual({
      type: 'file',
      file: { file_data: pdf, filename: 'file.pdf' },
    });
    expect(await read({ url: `data:application/x-thing;base64,${b64('x')}` })).toEqual({
      type: 'file',
      file: { file_data: `data:application/x-thing;base64,${b64('x')}`, filename: 'file' },
    });
  });

  it('encodes a percent-encoded data: URL in base64, and takes contentType when it has none', async () => {
    expect(await read({ url: 'data:text/plain,a%20note' })).toEqual({
      type: 'file',
      file: { file_data: `data:text/plain;base64,${b64('a note')}`, filename: 'file.txt' },
    });
    expect(await read({ url: `data:;base64,${b64('# T')}`, contentType: 'text/markdown' })).toEqual(
      {
        type: 'file',
        file: { file_data: `data:text/markdown;base64,${b64('# T')}`, filename: 'file.md' },
      },
    );
  });

  it('refuses other audio formats and malformed data: URLs without quoting them', async () => {
    const ogg = await failure(() => read({ url: `data:audio/ogg;base64,${b64('secret')}` }));
    expect(ogg.message).toBe('audio/ogg audio cannot be sent: give it as wav or mp3');
    const malformed = await failure(() => read({ url: 'data:secret-without-comma' }));
    expect(malformed.message).not.toContain('secret');
    expect((await failure(() => read({ url: 'data:text/plain,%E0%A4%A' }))).message).toBe(
      'a data: URL is not valid percent-encoding',
    );
  });

  it('refuses local media without a root, and other URL schemes', async () => {
    const error = await failure(() => read({ url: 'photo.png' }));
    expect(error.message).toBe('photo.png: local media needs a project with a root');
    expect(error.hint).toBe('set one with `project update <name> --root <dir>`');
    expect((await failure(() => read({ url: 'ftp://x.test/a.png' }))).message).toBe(
      'ftp://x.test/a.png: media is a local path, an http(s) URL or a data: URL',
    );
  });
});

describe('createMediaReader with local files', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'media-root-'));
    outside = mkdtempSync(join(tmpdir(), 'media-outside-'));
    mkdirSync(join(root, 'img'));
    writeFileSync(join(root, 'img', 'photo.png'), 'png bytes');
    writeFileSync(join(root, 'talk.mp3'), 'mp3 bytes');
    writeFileSync(join(root, 'notes.txt'), 'some notes');
    writeFileSync(join(outside, 'secret.png'), 'outside bytes');
  });
  const reader = (maxBytes = DEFAULT_MEDIA_BYTES) => createMediaReader({ root, maxBytes });

  it('reads a file relative to the root and sends it as a data: URL', async () => {
    expect(reader()({ url: 'img/photo.png' })).toEqual({
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${b64('png bytes')}` },
    });
    expect(reader()({ url: 'talk.mp3' })).toEqual({
      type: 'input_audio',
      input_audio: { data: b64('mp3 bytes'), format: 'mp3' },
    });
    expect(reader()({ url: 'notes.txt' })).toEqual({
      type: 'file',
      file: { file_data: `data:text/plain;base64,${b64('some notes')}`, filename: 'file.txt' },
    });
  });

  it('reads absolute paths and file: URLs inside the root', async () => {
    const expected = {
      type: 'file',
      file: { file_data: `data:text/plain;base64,${b64('some notes')}`, filename: 'file.txt' },
    };
    expect(reader()({ url: join(root, 'notes.txt') })).toEqual(expected);
    expect(reader()({ url: pathToFileURL(join(root, 'notes.txt')).href })).toEqual(expected);
    expect(reader()({ url: 'file:notes.txt' })).toEqual(expected);
  });

  it('takes the given contentType before the extension, and refuses an unknown extension', async () => {
    writeFileSync(join(root, 'scan.bin'), 'pdf bytes');
    expect(reader()({ url: 'scan.bin', contentType: 'application/pdf' })).toEqual({
      type: 'file',
      file: { file_data: `data:application/pdf;base64,${b64('pdf bytes')}`, filename: 'file.pdf' },
    });
    const error = await failure(() => reader()({ url: 'scan.bin' }));
    expect(error.message).toBe('The media file scan.bin has an unknown type');
    expect(error.hint).toContain('contentType=');
  });

  it('refuses files outside the root, by path or through a symlink', async () => {
    const byPath = await failure(() => reader()({ url: join(outside, 'secret.png') }));
    expect(byPath.message).toMatch(/^The media file .*secret\.png is outside the project's root/);
    const byDots = await failure(() => reader()({ url: `../${basename(outside)}/secret.png` }));
    expect(byDots.message).toMatch(/is outside the project's root/);
    symlinkSync(join(outside, 'secret.png'), join(root, 'img', 'link.png'));
    const byLink = await failure(() => reader()({ url: 'img/link.png' }));
    expect(byLink.message).toBe(
      `The media file img/link.png is outside the project's root ${root}`,
    );
    expect(byLink.message).not.toContain('outside bytes');
  });

  it('refuses files whose names say they hold secrets, and files holding a private key', async () => {
    writeFileSync(join(root, '.env'), 'API_KEY=sk-very-secret');
    const env = await failure(() => reader()({ url: '.env', contentType: 'text/plain' }));
    expect(env.message).toBe('The media file .env may hold secrets: it is not sent');
    expect(env.message).not.toContain('sk-very-secret');
    symlinkSync(join(root, '.env'), join(root, 'innocent.txt'));
    expect((await failure(() => reader()({ url: 'innocent.txt' }))).message).toBe(
      'The media file innocent.txt may hold secrets: it is not sent',
    );
    writeFileSync(join(root, 'key.txt'), '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n');
    expect((await failure(() => reader()({ url: 'key.txt' }))).message).toBe(
      'The media file key.txt holds a private key: it is not sent',
    );
  });

  it('refuses what is not a regular file, a missing file and a file too large', async () => {
    expect((await failure(() => reader()({ url: 'img', contentType: 'image/png' }))).message).toBe(
      'The media file img is not a regular file',
    );
    expect((await failure(() => reader()({ url: 'gone.png' }))).message).toMatch(
      /^No media file gone\.png \(no such file: .*gone\.png\)$/,
    );
    const small = await failure(() => reader(4)({ url: 'notes.txt' }));
    expect(small.message).toBe('notes.txt is 10 bytes; media files are sent up to 4 bytes');
    writeFileSync(join(root, 'big.png'), Buffer.alloc(3 * 1024 * 1024 + 300 * 1024));
    const big = await failure(() => reader(2 * 1024 * 1024)({ url: 'big.png' }));
    expect(big.message).toBe('big.png is 3.3 MB; media files are sent up to 2 MB');
  });
});
