// How a stored prompt is named wherever one is used: `name` (its latest version), `name@3` or
// `name@v3` (a version), `name@production` (the version the label points at).
import { ValidationError } from '../core/errors.js';
import { NAME_MAX_LENGTH } from '../core/names.js';
import type { PromptRecord } from '../db/repositories/prompt-repository.js';

export interface PromptRef {
  name: string;
  version?: number;
  label?: string;
}

const VERSION = /^v?(\d+)$/i;
const LABEL = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** `3`, `v3`: a version number; anything else is not one. */
export function versionNumber(text: string): number | undefined {
  const digits = VERSION.exec(text)?.[1];
  const version = digits === undefined ? undefined : Number(digits);
  return version !== undefined && version >= 1 && Number.isSafeInteger(version)
    ? version
    : undefined;
}

/** A label name, or a ValidationError saying what is wrong with it. */
export function validateLabel(label: string): string {
  const problem =
    label.length === 0
      ? 'it cannot be empty'
      : label.length > NAME_MAX_LENGTH
        ? `it has at most ${NAME_MAX_LENGTH} characters`
        : VERSION.test(label)
          ? 'it would read as a version number'
          : label === 'latest'
            ? '"latest" always means the latest version'
            : !LABEL.test(label)
              ? "use letters, digits, '.', '_' and '-', starting with a letter"
              : undefined;
  if (problem) throw new ValidationError(`Invalid label ${JSON.stringify(label)}: ${problem}`);
  return label;
}

/** The version or label after `@` (or given on its own, as `prompt diff` takes them). */
export function parseSelector(text: string): Omit<PromptRef, 'name'> {
  if (text === 'latest') return {};
  const version = versionNumber(text);
  if (version !== undefined) return { version };
  if (VERSION.test(text)) throw new ValidationError(`Invalid version ${JSON.stringify(text)}`);
  return { label: validateLabel(text) };
}

export function parsePromptRef(text: string): PromptRef {
  const at = text.indexOf('@');
  if (at < 0) return { name: text };
  const name = text.slice(0, at);
  const selector = text.slice(at + 1);
  if (!name || !selector) {
    throw new ValidationError(`Invalid prompt reference ${JSON.stringify(text)}`, {
      hint: 'write name, name@3 (a version) or name@production (a label)',
    });
  }
  return { name, ...parseSelector(selector) };
}

/** The reference as written back: `name`, `name@3`, `name@production`. */
export function formatPromptRef(ref: PromptRef): string {
  if (ref.label) return `${ref.name}@${ref.label}`;
  return ref.version === undefined ? ref.name : `${ref.name}@${ref.version}`;
}

/** The versions and labels a prompt has, for errors that name a missing one. */
export function whatExists(prompt: PromptRecord): string {
  const versions = prompt.versionCount === 1 ? 'version 1' : `versions 1 to ${prompt.versionCount}`;
  const labels = prompt.labels.map((l) => `${l.name} (v${l.version})`).join(', ');
  return `it has ${versions}${labels ? ` and labels ${labels}` : ' and no labels'}`;
}
