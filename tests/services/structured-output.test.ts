import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import {
  jsonSchemaFormat,
  readStructuredAnswer,
  reaskMessage,
  toJsonSchema,
} from '../../src/services/structured-output.js';

describe('toJsonSchema', () => {
  it.each([
    ['string', { type: 'string' }],
    ['number, the description', { type: 'number', description: 'the description' }],
    ['integer,a, b', { type: 'integer', description: 'a, b' }],
    ['boolean', { type: 'boolean' }],
    ['null', { type: 'null' }],
  ])('reads the scalar %j', async (pico, expected) => {
    expect(await toJsonSchema(pico)).toEqual(expected);
  });

  it('reads fields, optional ones nullable and not required', async () => {
    expect(await toJsonSchema({ name: 'string, the name', 'age?': 'integer' })).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', description: 'the name' },
        age: { type: ['integer', 'null'] },
      },
      required: ['name'],
      additionalProperties: false,
    });
  });

  it('reads arrays, nested objects, enums and any', async () => {
    const schema = await toJsonSchema({
      'tags(array, list of tags)': 'string, the tag',
      'obj?(object, a nested object)': { 'nest1?': 'string' },
      'kind(enum)': ['A', 'B'],
      'color?(enum)': ['RED'],
      first: 'any',
    });
    expect(schema.properties).toEqual({
      tags: {
        type: 'array',
        description: 'list of tags',
        items: { type: 'string', description: 'the tag' },
      },
      obj: {
        type: ['object', 'null'],
        description: 'a nested object',
        properties: { nest1: { type: ['string', 'null'] } },
        additionalProperties: false,
      },
      kind: { enum: ['A', 'B'] },
      color: { enum: ['RED', null] },
      first: {},
    });
    expect(schema.required).toEqual(['tags', 'kind', 'first']);
  });

  it('reads a wildcard field', async () => {
    expect(await toJsonSchema({ '(*)': 'number, lucky number' })).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: { type: 'number', description: 'lucky number' },
    });
  });

  it('does not change the schema it was given', async () => {
    const pico = { 'color?(enum)': ['RED'] };
    await toJsonSchema(pico);
    expect(pico).toEqual({ 'color?(enum)': ['RED'] });
  });

  it.each([
    [{ type: 'object', properties: { a: { type: 'string' } } }, {}],
    [{ properties: { a: { type: 'string' } } }, { type: 'object' }],
    [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, {}],
    [{ type: ['string', 'null'] }, {}],
    [{ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'string' }, {}],
  ])('passes JSON Schema through: %j', async (schema, added) => {
    expect(await toJsonSchema(schema)).toEqual({ ...schema, ...added });
  });

  it.each([
    [{ name: 'strin' }, /Invalid Picoschema: unsupported scalar type 'strin'/],
    [{ 'a(list)': 'string' }, /parenthetical types must be 'object' or 'array', got: list/],
    [{ a: 3 }, /only consists of objects and strings/],
    [{ 'kind(enum)': 'A' }, /not valid JSON Schema: .*enum/],
    [null, /The schema is empty/],
  ])('refuses %j', async (schema, message) => {
    const error = await toJsonSchema(schema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('jsonSchemaFormat', () => {
  it('is strict for a Picoschema, its optional fields required and nullable', async () => {
    const schema = await toJsonSchema({
      name: 'string',
      'age?': 'integer',
      'items(array)': { price: 'number', 'note?': 'string' },
      'kind?(enum)': ['A', 'B'],
    });
    const format = jsonSchemaFormat(schema, 'extract');
    expect(format).toMatchObject({ type: 'json_schema', name: 'extract', strict: true });
    expect(format.schema.required).toEqual(['name', 'items', 'age', 'kind']);
    expect(format.schema).toMatchObject({
      properties: { items: { items: { required: ['price', 'note'] } } },
    });
    // The original keeps its optional fields optional.
    expect(schema.required).toEqual(['name', 'items']);
  });

  it('is strict for anyOf branches and $defs that follow the rules', () => {
    const point = {
      type: 'object',
      properties: { x: { type: 'number' } },
      required: ['x'],
      additionalProperties: false,
    };
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      $defs: { point },
      properties: { at: { anyOf: [{ $ref: '#/$defs/point' }, { type: 'null' }] } },
      additionalProperties: false,
    };
    const format = jsonSchemaFormat(schema);
    expect(format.strict).toBe(true);
    expect(format.schema.required).toEqual(['at']);
    expect(format.schema.$schema).toBeUndefined();
  });

  it.each<[string, unknown, Record<string, unknown>?]>([
    ['a scalar root', { type: 'string' }],
    ['a wildcard field', { '(*)': 'string' }],
    ['an any field', { a: 'any' }],
    ['an optional field that is not nullable', { a: 'string' }, { required: [] }],
    ['additionalProperties missing', { a: 'string' }, { additionalProperties: undefined }],
    ['additionalProperties: true', { a: 'string' }, { additionalProperties: true }],
    ['patternProperties', { a: 'string' }, { patternProperties: { x: { type: 'string' } } }],
    ['an object without properties', { 'obj(object)': {} }],
    [
      'an unsupported format',
      { a: 'string' },
      { properties: { a: { type: 'string', format: 'x' } } },
    ],
  ])('is not strict with %s', async (_, pico, override = {}) => {
    const schema = { ...(await toJsonSchema(pico)), ...override };
    const format = jsonSchemaFormat(schema);
    expect(format.strict).toBe(false);
    expect(format.schema).toBe(schema);
  });

  it('is not strict when a nested object allows extra properties', () => {
    const schema = {
      type: 'object',
      properties: { inner: { type: 'object', properties: { a: { type: 'string' } } } },
      required: ['inner'],
      additionalProperties: false,
    };
    expect(jsonSchemaFormat(schema).strict).toBe(false);
  });

  it.each([
    ['my prompt!', 'my_prompt_'],
    ['', 'answer'],
    ['x'.repeat(80), 'x'.repeat(64)],
  ])('names %j as %j', (name, expected) => {
    expect(jsonSchemaFormat({ type: 'string' }, name).name).toBe(expected);
  });
});

describe('readStructuredAnswer', () => {
  const schemaPromise = toJsonSchema({
    name: 'string',
    'age?': 'integer',
    'items(array)': { price: 'number' },
    'kind?(enum)': ['A', 'B'],
    'when?': 'string',
  });

  it.each([
    ['{"name": "a", "items": []}'],
    ['  ```json\n{"name": "a", "items": [{"price": 2}]}\n```  '],
    ['```\n{"name": "a", "items": [], "age": null, "kind": null}\n```'],
  ])('accepts %j', async (text) => {
    const result = readStructuredAnswer(text, await schemaPromise);
    expect(result.ok).toBe(true);
  });

  it('returns the value', async () => {
    expect(readStructuredAnswer('{"name":"a","items":[],"age":3}', await schemaPromise)).toEqual({
      ok: true,
      value: { name: 'a', items: [], age: 3 },
    });
  });

  it('names every problem with its path', async () => {
    const text = '{"items": [{"price": "2"}], "age": 1.5, "kind": "C", "extra": 1}';
    const result = readStructuredAnswer(text, await schemaPromise);
    expect(result).toEqual({
      ok: false,
      errors: expect.arrayContaining([
        '(root): must have the property "name"',
        '(root): must not have the property "extra"',
        '/items/0/price: must be number',
        '/age: must be integer or null',
        '/kind: must be one of "A", "B", null',
      ]),
    });
  });

  it('says the root is wrong', async () => {
    expect(readStructuredAnswer('[1]', await schemaPromise)).toEqual({
      ok: false,
      errors: ['(root): must be object'],
    });
  });

  it.each([
    ['Sure, here it is: {"name": "a"}', /^the answer is not JSON: .+/],
    ['', /^the answer is not JSON: it is empty$/],
    ['```json\n{"name": \n```', /^the answer is not JSON: /],
  ])('says %j is not JSON', async (text, message) => {
    const result = readStructuredAnswer(text, await schemaPromise);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([expect.stringMatching(message)]);
  });

  it('reads with two schemas of the same $id', () => {
    const first = { $id: 'https://example.com/a', type: 'number' };
    const second = { $id: 'https://example.com/a', type: 'string' };
    expect(readStructuredAnswer('1', first).ok).toBe(true);
    expect(readStructuredAnswer('"x"', second).ok).toBe(true);
    expect(readStructuredAnswer('1', first).ok).toBe(true);
  });

  it('does not check or choke on formats', () => {
    const schema = { type: 'string', format: 'made-up' };
    expect(readStructuredAnswer('"anything"', schema)).toEqual({ ok: true, value: 'anything' });
  });
});

describe('reaskMessage', () => {
  it('lists the errors and asks for only the corrected JSON', () => {
    const message = reaskMessage(['/a: must be number', '(root): must have the property "b"']);
    expect(message).toBe(
      [
        'Your previous answer did not match the JSON schema:',
        '- /a: must be number',
        '- (root): must have the property "b"',
        'Reply with only the corrected JSON, with no other text.',
      ].join('\n'),
    );
  });
});
