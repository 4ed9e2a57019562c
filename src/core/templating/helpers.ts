// Helpers for prompt work. Each takes Handlebars' options object as its last argument.
// Dotprompt's own (`role`, `history`, `section`, `media`, `ifEquals`, `unlessEquals`, `json`)
// render as Dotprompt renders them; the rest are prompt-runner's.
import type { HelperDelegate, HelperOptions } from 'handlebars';
import { ValidationError } from '../errors.js';
import { markers } from './messages.js';

/** The widest `indent` a template may ask for: a bigger count is a mistake, not a prompt. */
export const MAX_INDENT = 100;

type Options = { hash?: Record<string, unknown>; fn?: (context: unknown) => string };

function args(list: unknown[]): unknown[] {
  return list.slice(0, -1);
}

function text(value: unknown): string {
  if (value == null) return '';
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

export const HELPERS: Record<string, HelperDelegate> = {
  /**
   * {{log …}} renders nothing and prints nothing: Handlebars' own writes to stdout, which
   * would corrupt a command's output (and print the variables it is given).
   */
  log: () => '',
  /** {{json value}}: the value as JSON on one line; `indent=2` (or `{{json value 2}}`) indents. */
  json: (...list: unknown[]) => {
    const [value, spaces] = args(list);
    // As Dotprompt: a string indent is the indent itself (`indent="\t"`).
    const indent = (list.at(-1) as Options).hash?.indent ?? spaces;
    const space = typeof indent === 'number' || typeof indent === 'string' ? indent : 0;
    return JSON.stringify(value ?? null, null, space);
  },
  /** {{role "system"}}: a new message (system, user, model) starts here. */
  role: (role: unknown) => {
    if (role !== 'system' && role !== 'user' && role !== 'model') {
      throw new ValidationError(
        `Template helper role: a role is "system", "user" or "model" (got ${JSON.stringify(role)})`,
        { code: 'TEMPLATE_RENDER' },
      );
    }
    return markers.role(role);
  },
  /** {{history}}: the earlier turns of the conversation go here. */
  history: () => markers.history(),
  /** {{section "name"}}: a named place in the message, for the caller to fill. */
  section: (name: unknown) => markers.section(String(name).split(' ')[0] ?? ''),
  /** {{media url=… contentType=…}}: an image, audio or document part. */
  media: (options: HelperOptions) => {
    const { url, contentType } = options.hash as { url?: unknown; contentType?: unknown };
    if (url === undefined || url === null || url === '') {
      throw new ValidationError('Template helper media: the url is empty', {
        code: 'TEMPLATE_RENDER',
      });
    }
    return markers.media(String(url), contentType ? String(contentType) : undefined);
  },
  /** {{#ifEquals a b}}…{{else}}…{{/ifEquals}}: strict equality. */
  ifEquals(this: unknown, a: unknown, b: unknown, options: HelperOptions) {
    return a === b ? options.fn(this) : options.inverse(this);
  },
  unlessEquals(this: unknown, a: unknown, b: unknown, options: HelperOptions) {
    return a !== b ? options.fn(this) : options.inverse(this);
  },
  /** {{indent text 4}} or {{#indent 2}}…{{/indent}}: every line indented. */
  indent(this: unknown, ...list: unknown[]) {
    const options = list.at(-1) as Options;
    const params = args(list);
    const [body, width] = options.fn ? [options.fn(this), params[0]] : params;
    const count = typeof width === 'number' ? width : 2;
    if (!Number.isInteger(count) || count < 0 || count > MAX_INDENT) {
      throw new ValidationError(
        `Template helper indent: the count must be a whole number from 0 to ${MAX_INDENT} (got ${count})`,
        { code: 'TEMPLATE_RENDER' },
      );
    }
    const pad = ' '.repeat(count);
    return text(body)
      .split('\n')
      .map((line) => (line ? pad + line : line))
      .join('\n');
  },
  /** {{join list ", "}}: array items joined. */
  join: (...list: unknown[]) => {
    const [items, separator] = args(list);
    const parts = Array.isArray(items) ? items.map(text) : [text(items)];
    return parts.join(typeof separator === 'string' ? separator : ', ');
  },
  /** {{default value "fallback"}}: the fallback when the value is missing or empty. */
  default: (...list: unknown[]) => {
    const [value, fallback] = args(list);
    return value === undefined || value === null || value === '' ? fallback : value;
  },
  /** {{#if (eq a b)}}: strict equality. */
  eq: (...list: unknown[]) => {
    const [a, b] = args(list);
    return a === b;
  },
  trim: (...list: unknown[]) => text(args(list)[0]).trim(),
  uppercase: (...list: unknown[]) => text(args(list)[0]).toUpperCase(),
  lowercase: (...list: unknown[]) => text(args(list)[0]).toLowerCase(),
  /**
   * {{date}}: today as YYYY-MM-DD; {{date "iso"}}: the full timestamp;
   * {{date value}}: a given date or timestamp as YYYY-MM-DD.
   */
  date: (...list: unknown[]) => {
    const [value] = args(list);
    if (value === 'iso') return new Date().toISOString();
    const date = value === undefined ? new Date() : new Date(value as string | number);
    if (Number.isNaN(date.getTime())) return text(value);
    return date.toISOString().slice(0, 10);
  },
};

/** Helper names a template can call: Handlebars' built-ins and ours. */
export const HELPER_NAMES = new Set([
  'if',
  'unless',
  'each',
  'with',
  'lookup',
  'log',
  'helperMissing',
  'blockHelperMissing',
  ...Object.keys(HELPERS),
]);
