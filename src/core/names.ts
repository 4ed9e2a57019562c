// Names of projects, prompts and workflows: usable in shells, file names and partials.
import { ValidationError } from './errors.js';
import * as z from './zod.js';

export const NAME_MAX_LENGTH = 64;

const nameSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'it cannot be empty'),
    z.maxLength(NAME_MAX_LENGTH, `it has at most ${NAME_MAX_LENGTH} characters`),
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      "use letters, digits, '.', '_' and '-', starting with a letter or digit",
    ),
  );

/** The trimmed name, or a ValidationError saying what is wrong with it. */
export function validateName(kind: string, name: string): string {
  const result = nameSchema.safeParse(name);
  if (!result.success) {
    throw new ValidationError(
      `Invalid ${kind} name ${JSON.stringify(name)}: ${result.error.issues[0]?.message}`,
    );
  }
  return result.data;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * A prompt's name: `[folder/]name`, each part letters, digits, `_` and `-`; `.variant` at the
 * end only for a variant read from a `.prompt` file (`greet.formal.prompt`). Names made
 * before folders and variants (with a `.` anywhere) still resolve, but are not made anew.
 */
export function validatePromptName(name: string, variant?: string): string {
  const trimmed = name.trim();
  const base =
    variant && trimmed.endsWith(`.${variant}`) ? trimmed.slice(0, -variant.length - 1) : trimmed;
  const parts = base.split('/');
  const bad = (reason: string) =>
    new ValidationError(`Invalid prompt name ${JSON.stringify(name)}: ${reason}`);
  if (trimmed === '') throw bad('it cannot be empty');
  if (trimmed.length > NAME_MAX_LENGTH * 2)
    throw bad(`it has at most ${NAME_MAX_LENGTH * 2} characters`);
  if (variant !== undefined && !SEGMENT.test(variant))
    throw bad(`the variant ${JSON.stringify(variant)} is not a name`);
  if (!parts.every((part) => SEGMENT.test(part))) {
    throw bad(
      "use letters, digits, '_' and '-', starting with a letter or digit; '/' between folders",
    );
  }
  return trimmed;
}
