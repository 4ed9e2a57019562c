import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { coerceInputs, validateInputs } from '../../src/services/input-schema.js';
import { toJsonSchema } from '../../src/services/structured-output.js';

let schema: Record<string, unknown>;

beforeAll(async () => {
  schema = await toJsonSchema({
    name: 'string',
    'age?': 'integer',
    'score?': 'number',
    'verbose?': 'boolean',
    'kind?(enum)': ['a', 'b'],
    'tags?(array)': 'string',
    'user?(object)': { email: 'string', 'roles?(array)': 'string' },
    'notes?': 'any',
  });
});

function messageOf(values: Record<string, unknown>, opts?: { name?: string }): string {
  try {
    validateInputs(schema, values, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('INVALID_INPUT');
    return (error as Error).message;
  }
  return 'valid';
}

describe('validateInputs', () => {
  it.each([
    [{ name: 'Ada' }],
    [{ name: 'Ada', age: 3, kind: 'a', tags: ['x'], user: { email: 'a@b.c' }, notes: [1] }],
    [{ name: 'Ada', age: null }],
    [{ name: 'Ada', fromElsewhere: 1 }],
    [{ name: 'Ada', age: undefined }],
  ])('accepts %j', (values) => {
    expect(messageOf(values)).toBe('valid');
  });

  it.each([
    [{}, 'Input "name" is required'],
    [{ name: 'Ada', age: 'x' }, 'Input "age" must be integer (got string "x")'],
    [{ name: 'Ada', age: 1.5 }, 'Input "age" must be integer (got number 1.5)'],
    [{ name: 1 }, 'Input "name" must be string (got number 1)'],
    [{ name: 'Ada', verbose: 'yes' }, 'Input "verbose" must be boolean (got string "yes")'],
    [{ name: 'Ada', kind: 'c' }, 'Input "kind" must be one of "a", "b"'],
    [{ name: 'Ada', user: {} }, 'Input "user.email" is required'],
    [
      { name: 'Ada', user: { email: true } },
      'Input "user.email" must be string (got boolean true)',
    ],
    [
      { name: 'Ada', user: { email: 'e', roles: ['x', 2] } },
      'Input "user.roles[1]" must be string (got number 2)',
    ],
    [
      { name: 'Ada', user: { email: 'e', extra: 1 } },
      'Input "user" must not have the field "extra"',
    ],
    [{ name: 'Ada', tags: 'x' }, 'Input "tags" must be array (got string "x")'],
  ])('refuses %j', (values, message) => {
    expect(messageOf(values)).toBe(message);
  });

  it('names several problems on one line, and counts the rest', () => {
    const message = messageOf({ age: 'x', score: 'y', verbose: 'z', kind: 'c' });
    expect(message).toBe(
      'Input "name" is required; Input "age" must be integer (got string "x"); ' +
        'Input "score" must be number (got string "y") (and 2 more)',
    );
  });

  it('shortens a long value', () => {
    expect(messageOf({ name: 'Ada', age: 'x'.repeat(100) })).toBe(
      `Input "age" must be integer (got string "${'x'.repeat(40)}…")`,
    );
  });

  it('names the prompt in the hint', () => {
    try {
      validateInputs(schema, {}, { name: 'greet' });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).hint).toContain('"greet"');
    }
  });
});

describe('coerceInputs', () => {
  it('turns command-line text into the types the schema wants', () => {
    const values = {
      name: '42',
      age: '3',
      score: '-1.5e2',
      verbose: 'false',
      tags: '["a","b"]',
      user: '{"email": "e"}',
      notes: '[1]',
      other: '7',
    };
    expect(coerceInputs(schema, values)).toEqual({
      name: '42',
      age: 3,
      score: -150,
      verbose: false,
      tags: ['a', 'b'],
      user: { email: 'e' },
      notes: '[1]',
      other: '7',
    });
    expect(values.age).toBe('3');
  });

  it.each([
    ['age', '3.5'],
    ['age', ''],
    ['age', 'three'],
    ['verbose', 'yes'],
    ['tags', 'a,b'],
    ['tags', '{"a": 1}'],
    ['user', '[1]'],
  ])('leaves %s=%j as it is', (key, text) => {
    expect(coerceInputs(schema, { [key]: text })).toEqual({ [key]: text });
  });

  it('leaves values that are not text alone', () => {
    expect(coerceInputs(schema, { age: 3, verbose: true, tags: ['a'] })).toEqual({
      age: 3,
      verbose: true,
      tags: ['a'],
    });
  });

  it('reads null, enum members and wildcard fields', async () => {
    const wild = await toJsonSchema({ 'n?': 'integer', 'level(enum)': [1, 2], '(*)': 'boolean' });
    expect(coerceInputs(wild, { n: 'null', level: '2', flag: 'TRUE' })).toEqual({
      n: null,
      level: 2,
      flag: true,
    });
  });

  it('coerces only the top level', async () => {
    const coerced = coerceInputs(schema, { user: { email: 'e', roles: '["x"]' } });
    expect(coerced).toEqual({ user: { email: 'e', roles: '["x"]' } });
  });

  it('then lets validateInputs name what did not convert', () => {
    expect(() => validateInputs(schema, coerceInputs(schema, { name: 'n', age: 'x' }))).toThrow(
      'Input "age" must be integer (got string "x")',
    );
  });
});
