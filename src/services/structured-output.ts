// Answers that follow a schema: a prompt's Picoschema (or JSON Schema) turned into OpenAI's
// `json_schema` response format, and the answer read back and checked against it.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { reasonOf, ValidationError } from '../core/errors.js';
import type { JsonSchemaFormat } from '../core/model-client/types.js';

type Schema = Record<string, unknown>;

let ajv: Ajv | undefined;
const validators = new WeakMap<object, ValidateFunction>();

/**
 * A validator for a JSON Schema, compiled once per schema object. Formats are not checked:
 * a model's `date-time` is not worth a failed run, and unknown formats must not throw.
 */
export function compileSchema(schema: Schema): ValidateFunction {
  const cached = validators.get(schema);
  if (cached) return cached;
  ajv ??= new Ajv({ allErrors: true, strict: false, validateFormats: false, logger: false });
  // A `$schema` other than draft-07 names a meta-schema this Ajv does not hold.
  const { $schema: _meta, ...body } = schema;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(body);
  } catch (error) {
    throw new ValidationError(`The schema is not valid JSON Schema: ${reasonOf(error)}`, {
      code: 'INVALID_SCHEMA',
    });
  } finally {
    // The shared Ajv keeps no schema: a second one with the same `$id` would clash with it,
    // and the validator works on without it.
    ajv.removeSchema(body);
  }
  validators.set(schema, validate);
  return validate;
}

const PICO_FORMS =
  'Picoschema fields read like `name: string, a description`, `age?: integer`, `tags(array): string`';

/** Picoschema or plain JSON Schema → JSON Schema (a new object; the input is not changed). */
export async function toJsonSchema(schema: unknown): Promise<Schema> {
  if (schema === null || schema === undefined || schema === '') {
    throw new ValidationError('The schema is empty', { code: 'INVALID_SCHEMA', hint: PICO_FORMS });
  }
  // A copy: dotprompt pushes `null` into an optional enum's own array.
  const input = structuredClone(schema);
  let converted: unknown;
  if (isJsonSchema(input)) {
    converted = input;
  } else {
    const { picoschema } = await import('dotprompt');
    try {
      converted = await picoschema(input);
    } catch (error) {
      const reason = reasonOf(error).replace(/^Picoschema: /, '');
      throw new ValidationError(`Invalid Picoschema: ${reason}`, {
        code: 'INVALID_SCHEMA',
        hint: PICO_FORMS,
      });
    }
  }
  // dotprompt leaves `required: undefined` on objects without required fields.
  const result = JSON.parse(JSON.stringify(converted)) as Schema;
  compileSchema(result);
  return result;
}

/**
 * JSON Schema keywords dotprompt would misread as Picoschema fields (it passes through only a
 * scalar `type` or `properties`).
 */
function isJsonSchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  if ('$schema' in schema || typeof schema.$ref === 'string') return true;
  if (Array.isArray(schema.type)) return true;
  return ['anyOf', 'oneOf', 'allOf', 'enum'].some((key) => Array.isArray(schema[key]));
}

/** The response format for a schema: `strict` only where OpenAI's strict mode accepts it. */
export function jsonSchemaFormat(schema: Schema, name = 'answer'): JsonSchemaFormat {
  const safeName = name.replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 64) || 'answer';
  const strictSchema = isObject(schema) && schema.type === 'object' ? strictCopy(schema) : null;
  return strictSchema
    ? { type: 'json_schema', name: safeName, schema: strictSchema, strict: true }
    : { type: 'json_schema', name: safeName, schema, strict: false };
}

/** Keywords OpenAI's strict mode takes; anything else makes the schema non-strict. */
const STRICT_KEYWORDS = new Set([
  ...['type', 'description', 'title', 'enum', 'const', 'anyOf', '$ref', '$defs', 'definitions'],
  ...['properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems'],
  ...['pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  'multipleOf',
]);
const STRICT_FORMATS = new Set(
  'date-time time date duration email hostname ipv4 ipv6 uuid'.split(' '),
);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/**
 * A copy of the schema that strict mode accepts, or null. Optional fields that are nullable
 * (Picoschema's `name?`) become required: the model then sends null for them, which the
 * original schema accepts too.
 */
function strictCopy(schema: unknown): Schema | null {
  if (!isObject(schema)) return null;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    if (!STRICT_KEYWORDS.has(key)) return null;
    out[key] = value;
  }
  if (!('type' in out || 'enum' in out || 'const' in out || 'anyOf' in out || '$ref' in out)) {
    return null;
  }
  const types = typesOf(out);
  if (!types.every((type) => TYPES.has(type))) return null;
  if (typeof out.format === 'string' && !STRICT_FORMATS.has(out.format)) return null;
  if ('anyOf' in out) {
    const branches = Array.isArray(out.anyOf) ? out.anyOf.map(strictCopy) : [null];
    if (branches.some((branch) => !branch)) return null;
    out.anyOf = branches;
  }
  for (const key of ['$defs', 'definitions'] as const) {
    if (!(key in out)) continue;
    const defs = mapValues(out[key], strictCopy);
    if (!defs) return null;
    out[key] = defs;
  }
  if (types.includes('array') || 'items' in out) {
    const items = strictCopy(out.items);
    if (!items) return null;
    out.items = items;
  }
  if (types.includes('object') || 'properties' in out) {
    const properties = mapValues(out.properties, strictCopy);
    if (!properties || Object.keys(properties).length === 0) return null;
    if (out.additionalProperties !== false) return null;
    const required = Array.isArray(out.required) ? [...(out.required as string[])] : [];
    for (const [key, property] of Object.entries(properties)) {
      if (required.includes(key)) continue;
      if (!isNullable(property)) return null;
      required.push(key);
    }
    out.properties = properties;
    out.required = required;
  }
  return out;
}

function typesOf(schema: Schema): string[] {
  const { type } = schema;
  return (Array.isArray(type) ? type : type === undefined ? [] : [type]).map(String);
}

function isNullable(schema: Schema): boolean {
  if (typesOf(schema).includes('null') || schema.const === null) return true;
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) return true;
  return Array.isArray(schema.anyOf) && schema.anyOf.some((b) => isObject(b) && isNullable(b));
}

/** Each value of an object through `fn`; null when it is not an object or a value fails. */
function mapValues(
  value: unknown,
  fn: (item: unknown) => Schema | null,
): Record<string, Schema> | null {
  if (!isObject(value)) return null;
  const out: Record<string, Schema> = {};
  for (const [key, item] of Object.entries(value)) {
    const mapped = fn(item);
    if (!mapped) return null;
    out[key] = mapped;
  }
  return out;
}

export type StructuredAnswer = { ok: true; value: unknown } | { ok: false; errors: string[] };

const FENCE = /^```(?:json)?[ \t]*\r?\n?([\s\S]*?)\r?\n?[ \t]*```$/i;
/** Enough to correct an answer; a hundred errors only repeat the same mistake. */
const MAX_ERRORS = 20;

/**
 * The JSON in a model's answer, checked against the schema the call asked for. Pass the schema
 * from toJsonSchema (not the strict copy): an optional field may then be absent or null.
 */
export function readStructuredAnswer(text: string, schema: Schema): StructuredAnswer {
  let body = text.trim();
  body = FENCE.exec(body)?.[1]?.trim() ?? body;
  if (!body) return { ok: false, errors: ['the answer is not JSON: it is empty'] };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, errors: [`the answer is not JSON: ${reasonOf(error).slice(0, 120)}`] };
  }
  const validate = compileSchema(schema);
  if (validate(value)) return { ok: true, value };
  const errors = [...new Set((validate.errors ?? []).map(describeError))];
  if (errors.length > MAX_ERRORS) {
    const more = errors.length - MAX_ERRORS;
    errors.splice(MAX_ERRORS, more, `… and ${more} more`);
  }
  return { ok: false, errors };
}

/** `/items/0/price: must be number`, naming the extra or missing property where there is one. */
function describeError(error: ErrorObject): string {
  const at = error.instancePath || '(root)';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${at}: must not have the property "${params.additionalProperty}"`;
    case 'required':
      return `${at}: must have the property "${params.missingProperty}"`;
    case 'type':
      return `${at}: must be ${String(params.type).split(',').join(' or ')}`;
    case 'enum':
      return `${at}: must be one of ${(params.allowedValues as unknown[]).map(json).join(', ')}`;
    case 'const':
      return `${at}: must be ${json(params.allowedValue)}`;
    default:
      return `${at}: ${error.message ?? 'is invalid'}`;
  }
}

/** The user turn that asks again after an answer that did not follow the schema. */
export function reaskMessage(errors: string[]): string {
  return [
    'Your previous answer did not match the JSON schema:',
    ...errors.map((error) => `- ${error}`),
    'Reply with only the corrected JSON, with no other text.',
  ].join('\n');
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
