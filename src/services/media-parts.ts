// Rendered Dotprompt messages as an OpenAI-compatible server takes them: roles renamed, text
// kept as a string where it can be, media turned into content parts. Local media files are
// read only from inside the project's root, never through a link that leaves it and never
// when their name says they hold secrets (the rules of `evals/paths.ts`): a template from a
// repository cannot send a file from elsewhere on the machine to a model.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../core/errors.js';
import { cannotReadReason } from '../core/fs.js';
import type { ChatMessage, ContentPart } from '../core/model-client/types.js';
import type { MediaPart, PromptMessage, TextPart } from '../core/templating/messages.js';
import { ENV_TEMPLATE, holdsPrivateKey, secretByName } from '../orchestration/secret-files.js';

export const DEFAULT_MEDIA_BYTES = 20 * 1024 * 1024;

export type MediaReader = (media: MediaPart['media']) => ContentPart;

export interface MediaReaderOptions {
  /** The project's root; null when it has none (then no local file is read). */
  root: string | null;
  maxBytes: number;
}

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.json': 'application/json',
};
const EXTENSIONS: Record<string, string> = Object.fromEntries(
  Object.entries(TYPES).map(([extension, type]) => [type, extension]),
);
// OpenAI's `input_audio` takes these two formats, under any of their usual names.
const AUDIO_FORMATS: Record<string, string> = {
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
};

/** The messages to send; media parts are read through `media`, section places dropped. */
export function toChatMessages(messages: PromptMessage[], media: MediaReader): ChatMessage[] {
  const chat: ChatMessage[] = [];
  for (const [index, message] of messages.entries()) {
    if (message.role === 'tool') {
      throw new ValidationError(`message ${index + 1}: tool messages cannot be sent yet`);
    }
    const role = message.role === 'model' ? 'assistant' : message.role;
    const parts = message.content.filter(
      (part): part is TextPart | MediaPart => 'text' in part || 'media' in part,
    );
    if (parts.length === 0) continue;
    const texts = parts.filter((part): part is TextPart => 'text' in part);
    if (texts.length === parts.length) {
      chat.push({ role, content: texts.map((part) => part.text).join('') });
      continue;
    }
    // OpenAI takes media in user messages only; a server would refuse the call anyway.
    if (role !== 'user') {
      throw new ValidationError(
        `message ${index + 1} (${message.role}) has media: only user messages can carry media`,
      );
    }
    const content: ContentPart[] = [];
    for (const part of parts) {
      content.push('text' in part ? { type: 'text', text: part.text } : media(part.media));
    }
    chat.push({ role, content });
  }
  return chat;
}

export function createMediaReader(options: MediaReaderOptions): MediaReader {
  return ({ url, contentType }) => {
    if (/^https?:\/\//i.test(url)) return fromRemoteUrl(url, contentType);
    if (/^data:/i.test(url)) return fromDataUrl(url, contentType);
    return fromDataUrl(readLocalFile(url, contentType, options));
  };
}

function fromRemoteUrl(url: string, contentType: string | undefined): ContentPart {
  const type = contentType?.toLowerCase() ?? TYPES[extname(urlPath(url)).toLowerCase()];
  // No hint at all: most URLs in prompts are images, and the server reports it otherwise.
  if (type === undefined || type.startsWith('image/')) {
    return { type: 'image_url', image_url: { url } };
  }
  throw new ValidationError(
    `${shortened(url)} is ${type}: only images can be given by URL; give audio and documents ` +
      'as a local path or a data: URL',
  );
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/is;

/** A data: URL as a content part; the error never quotes the URL (it holds the content). */
function fromDataUrl(url: string, contentType?: string): ContentPart {
  const match = DATA_URL.exec(url);
  if (!match) throw new ValidationError('a data: URL is malformed (data:<type>;base64,<data>)');
  const [, declared = '', parameters = '', payload = ''] = match;
  const type = (declared || contentType || 'text/plain').toLowerCase();
  if (type.startsWith('image/')) return { type: 'image_url', image_url: { url } };
  const base64 = /;base64$/i.test(parameters) ? payload : toBase64(payload);
  if (type.startsWith('audio/')) {
    const format = AUDIO_FORMATS[type];
    if (format === undefined) {
      throw new ValidationError(`${type} audio cannot be sent: give it as wav or mp3`);
    }
    return { type: 'input_audio', input_audio: { data: base64, format } };
  }
  return {
    type: 'file',
    file: { file_data: `data:${type};base64,${base64}`, filename: `file${EXTENSIONS[type] ?? ''}` },
  };
}

/** A percent-encoded data: URL's payload in base64, which `input_audio` and `file` take. */
function toBase64(payload: string): string {
  try {
    return Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64');
  } catch {
    throw new ValidationError('a data: URL is not valid percent-encoding');
  }
}

/** The file as a data: URL, after the checks that keep media inside the project's root. */
function readLocalFile(
  url: string,
  contentType: string | undefined,
  { root, maxBytes }: MediaReaderOptions,
): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(url) && !/^file:/i.test(url)) {
    throw new ValidationError(
      `${shortened(url)}: media is a local path, an http(s) URL or a data: URL`,
    );
  }
  if (root === null) {
    throw new ValidationError(`${url}: local media needs a project with a root`, {
      hint: 'set one with `project update <name> --root <dir>`',
    });
  }
  const path = /^file:\/\//i.test(url)
    ? fileUrlPath(url)
    : resolve(root, url.replace(/^file:/i, ''));
  let real: string;
  let realRoot: string;
  try {
    realRoot = realpathSync.native(root);
  } catch (error) {
    throw new ValidationError(
      `The project's root ${root} cannot be read: ${cannotReadReason(error)}`,
    );
  }
  try {
    real = realpathSync.native(path);
  } catch (error) {
    throw new ValidationError(`No media file ${url} (${cannotReadReason(error)}: ${path})`);
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new ValidationError(`The media file ${url} is outside the project's root ${root}`, {
      hint: "media files are read only from inside the project's root",
    });
  }
  // An `.env` template is context for the codebase (values removed), never media.
  const names = [inside, relative(root, path)];
  if (names.some((name) => secretByName(name) || ENV_TEMPLATE.test(name))) {
    throw new ValidationError(`The media file ${url} may hold secrets: it is not sent`);
  }
  const info = statSync(real);
  if (!info.isFile()) throw new ValidationError(`The media file ${url} is not a regular file`);
  if (info.size > maxBytes) throw tooLarge(url, info.size, maxBytes);
  const type = (contentType ?? TYPES[extname(real).toLowerCase()])?.toLowerCase();
  if (type === undefined) {
    throw new ValidationError(`The media file ${url} has an unknown type`, {
      hint: `give its type: {{media url="${url}" contentType="<type>"}}`,
    });
  }
  const data = readFileSync(real);
  // The file may have grown since stat.
  if (data.length > maxBytes) throw tooLarge(url, data.length, maxBytes);
  // The whole file is sent, so the whole file is searched.
  if (holdsPrivateKey(data.toString('latin1'))) {
    throw new ValidationError(`The media file ${url} holds a private key: it is not sent`);
  }
  return `data:${type};base64,${data.toString('base64')}`;
}

function tooLarge(url: string, size: number, maxBytes: number): ValidationError {
  return new ValidationError(
    `${url} is ${formatSize(size)}; media files are sent up to ${formatSize(maxBytes)}`,
  );
}

function formatSize(bytes: number): string {
  const units: [string, number][] = [
    ['MB', 1024 * 1024],
    ['KB', 1024],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) return `${(bytes / size).toFixed(1).replace(/\.0$/, '')} ${unit}`;
  }
  return `${bytes} bytes`;
}

function urlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    throw new ValidationError(`${shortened(url)} is not a valid URL`);
  }
}

function fileUrlPath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw new ValidationError(`${shortened(url)}: ${(error as Error).message}`);
  }
}

/** A URL short enough for a one-line error. */
function shortened(url: string): string {
  return url.length > 80 ? `${url.slice(0, 77)}...` : url;
}

/** A sent message's content as text to print: media named by their kind and URL. */
export function printableContent(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type === 'text') return part.text;
      if (part.type === 'image_url') return `[image: ${shortUrl(part.image_url.url)}]`;
      if (part.type === 'input_audio') return `[audio: ${part.input_audio.format}]`;
      return `[file: ${part.file.filename}]`;
    })
    .join('');
}

function shortUrl(url: string): string {
  return url.startsWith('data:') ? `${url.slice(0, url.search(/[;,]/))}…` : url;
}
