// A run's inputs: declared defaults, given values (`--input k=v` arrive as text and are
// read by the declared type), every missing required input named at once.
import { ValidationError } from '../core/errors.js';
import { type InputType, type WorkflowFile, withArticle } from './schema.js';

function coerce(name: string, value: unknown, type: InputType | undefined): unknown {
  // Text from --input is read by the declared type; values from a file keep theirs.
  if (typeof value !== 'string' || type === undefined || type === 'string') return value;
  if (type === 'number') {
    const number = Number(value);
    if (value.trim() === '' || Number.isNaN(number)) {
      throw new ValidationError(`Input "${name}" must be a number, not ${JSON.stringify(value)}`);
    }
    return number;
  }
  if (type === 'boolean') {
    if (value === 'true' || value === 'false') return value === 'true';
    throw new ValidationError(
      `Input "${name}" must be true or false, not ${JSON.stringify(value)}`,
    );
  }
  try {
    const parsed: unknown = JSON.parse(value);
    if (
      (type === 'array') === Array.isArray(parsed) &&
      parsed !== null &&
      typeof parsed === 'object'
    ) {
      return parsed;
    }
  } catch {
    // reported below
  }
  throw new ValidationError(`Input "${name}" must be a JSON ${type}`);
}

function typeOf(value: unknown): InputType | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as InputType;
}

export function resolveInputs(
  file: WorkflowFile,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const declared = file.inputs ?? {};
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(declared, name));
  if (unknown.length > 0) {
    throw new ValidationError(
      `Unknown input${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      {
        hint: `this workflow takes: ${Object.keys(declared).join(', ') || 'no inputs'}`,
      },
    );
  }
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    if (Object.hasOwn(given, name)) {
      const value = coerce(name, given[name], spec.type);
      if (spec.type && typeOf(value) !== spec.type) {
        const actual = typeOf(value);
        throw new ValidationError(
          `Input "${name}" must be ${withArticle(spec.type)}, not ${actual === 'null' ? actual : withArticle(actual)}`,
        );
      }
      values[name] = value;
    } else if (spec.default !== undefined) {
      values[name] = spec.default;
    } else if (spec.required !== false) {
      missing.push(name);
    }
  }
  if (missing.length > 0) {
    throw new ValidationError(
      `Missing input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
      {
        hint: 'pass --input name=value or --inputs-file',
      },
    );
  }
  return values;
}
