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
