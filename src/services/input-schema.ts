// A prompt's declared inputs (its `input.schema`, as JSON Schema): values from `--var` turned
// into the types the schema asks for, then checked before anything is rendered or sent.
import type { ErrorObject } from 'ajv';
import { ValidationError } from '../core/errors.js';
import { compileSchema } from './structured-output.js';

type Schema = Record<string, unknown>;

/** The problems named in the message; the rest are only counted. */
const SHOWN = 3;

/** Throws a ValidationError naming the first inputs that do not follow the schema. */
export function validateInputs(
  schema: Schema,
  values: Record<string, unknown>,
  opts: { name?: string } = {},
): void {
  // An undefined value is an absent one, as it is when the template renders.
  const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  const validate = compileSchema(schema);
  if (validate(given)) return;
  // Extra inputs are fine at the top: templates also get variables from elsewhere.
  const problems = (validate.errors ?? [])
    .filter((error) => !(error.keyword === 'additionalProperties' && error.instancePath === ''))
    .map((error) => describeError(error, given));
  const unique = [...new Set(problems)];
  if (unique.length === 0) return;
  const more = unique.length > SHOWN ? ` (and ${unique.length - SHOWN} more)` : '';
  throw new ValidationError(`${unique.slice(0, SHOWN).join('; ')}${more}`, {
    code: 'INVALID_INPUT',
    hint: opts.name
      ? `"${opts.name}" declares its inputs in its input schema; give them with --var name=value`
      : 'give inputs with --var name=value',
  });
}

function describeError(error: ErrorObject, values: unknown): string {
  const params = error.params as Record<string, unknown>;
  const at = fieldPath(error.instancePath, values);
  const field = (name: string) => `Input "${at ? `${at}.${name}` : name}"`;
  switch (error.keyword) {
    case 'required':
      return `${field(String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return `Input "${at}" must not have the field "${params.additionalProperty}"`;
    case 'type': {
      const got = describeValue(valueAt(error.instancePath, values));
      return `Input "${at}" must be ${withoutNull(String(params.type).split(',')).join(' or ')} (got ${got})`;
    }
    case 'enum': {
      const options = withoutNull(params.allowedValues as unknown[]);
      return `Input "${at}" must be one of ${options.map(json).join(', ')}`;
    }
    case 'const':
      return `Input "${at}" must be ${json(params.allowedValue)}`;
    default:
      return at ? `Input "${at}" ${error.message ?? 'is invalid'}` : `Inputs ${error.message}`;
  }
}

/**
 * An optional input's schema allows null (Picoschema's `age?`), but a missing input is what
 * that means on the command line: naming null would only confuse.
 */
function withoutNull<T>(options: T[]): T[] {
  const kept = options.filter((option) => option !== null && option !== 'null');
  return kept.length > 0 ? kept : options;
}

/** `/user/email` → `user.email`, `/tags/0` → `tags[0]` (an index only where there is a list). */
function fieldPath(pointer: string, values: unknown): string {
  let path = '';
  let node = values;
  for (const segment of pointerSegments(pointer)) {
    path += Array.isArray(node) ? `[${segment}]` : path ? `.${segment}` : segment;
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  return path;
}

function valueAt(pointer: string, values: unknown): unknown {
  let node = values;
  for (const segment of pointerSegments(pointer)) {
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  return node;
}

function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `string "x"`, `number 3`, `array`: enough to see what was given, never a whole document. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/**
 * A copy of the values in which text from the command line (`--var age=3`) becomes the number,
 * boolean, null, list or object the schema asks for. Only top-level inputs; text that does not
 * convert stays as it is, for validateInputs to name.
 */
export function coerceInputs(
  schema: Schema,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const wildcard = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const out: Record<string, unknown> = { ...values };
  for (const [key, value] of Object.entries(values)) {
    const property = Object.hasOwn(properties, key) ? properties[key] : wildcard;
    if (typeof value === 'string' && isObject(property)) out[key] = coerce(value, property);
  }
  return out;
}

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function coerce(text: string, schema: Schema): unknown {
  const types = typesOf(schema);
  // Text is already right where the schema takes text.
  if (types.includes('string')) return text;
  if (types.length === 0 && Array.isArray(schema.enum)) {
    if (schema.enum.includes(text)) return text;
    return schema.enum.find((option) => option !== null && String(option) === text) ?? text;
  }
  const trimmed = text.trim();
  // Decimal numbers only (not `0x10`), and whole numbers a double holds exactly.
  if ((types.includes('number') || types.includes('integer')) && DECIMAL.test(text)) {
    const number = Number(text);
    const whole = Number.isSafeInteger(number);
    if (Number.isFinite(number) && (types.includes('number') || whole)) return number;
  }
  if (types.includes('boolean') && /^(true|false)$/i.test(trimmed)) {
    return trimmed.toLowerCase() === 'true';
  }
  if (types.includes('null') && trimmed === 'null') return null;
  if (types.includes('object') || types.includes('array')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (types.includes(Array.isArray(parsed) ? 'array' : isObject(parsed) ? 'object' : '')) {
        return parsed;
      }
    } catch {
      // Not JSON: kept as text, and validateInputs names the field.
    }
  }
  return text;
}

/** The types a schema allows, its anyOf branches included. */
function typesOf(schema: Schema): string[] {
  const own = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const branches = Array.isArray(schema.anyOf)
    ? schema.anyOf.filter(isObject).flatMap(typesOf)
    : [];
  return [...own, ...branches].map(String);
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
