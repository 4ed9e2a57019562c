import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { resolveInputs } from '../../src/workflows/inputs.js';
import type { WorkflowFile } from '../../src/workflows/schema.js';

const file = {
  name: 'typed',
  inputs: {
    topic: { type: 'string' },
    count: { type: 'number', default: 3 },
    draft: { type: 'boolean', required: false },
    options: { type: 'object', required: false },
    tags: { type: 'array', required: false },
    note: { required: false },
  },
  steps: [{ id: 'a', template: '{{inputs.topic}}' }],
} as unknown as WorkflowFile;

function failure(given: Record<string, unknown>): ValidationError {
  try {
    resolveInputs(file, given);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected the inputs to be refused');
}

describe('resolveInputs', () => {
  it('reads --input text by the declared type and fills defaults', () => {
    expect(
      resolveInputs(file, {
        topic: 'tides',
        count: ' 12 ',
        draft: 'false',
        options: '{"tone":"dry"}',
        tags: '["a","b"]',
        note: '42',
      }),
    ).toEqual({
      topic: 'tides',
      count: 12,
      draft: false,
      options: { tone: 'dry' },
      tags: ['a', 'b'],
      note: '42',
    });
    expect(resolveInputs(file, { topic: 'tides' })).toEqual({ topic: 'tides', count: 3 });
  });

  it('keeps the types of values from an inputs file, and refuses a value of another type', () => {
    expect(resolveInputs(file, { topic: 'x', count: 2, draft: true, tags: [] })).toMatchObject({
      count: 2,
      draft: true,
      tags: [],
    });
    expect(failure({ topic: 'x', count: true }).message).toBe(
      'Input "count" must be a number, not a boolean',
    );
    expect(failure({ topic: 7 }).message).toBe('Input "topic" must be a string, not a number');
    expect(failure({ topic: 'x', tags: {} }).message).toBe(
      'Input "tags" must be an array, not an object',
    );
    expect(failure({ topic: 'x', options: null }).message).toBe(
      'Input "options" must be an object, not null',
    );
  });

  it.each([
    ['count', 'twelve', 'Input "count" must be a number, not "twelve"'],
    ['count', '  ', 'Input "count" must be a number, not "  "'],
    ['draft', 'yes', 'Input "draft" must be true or false, not "yes"'],
    ['options', '[1]', 'Input "options" must be a JSON object'],
    ['tags', '{"a":1}', 'Input "tags" must be a JSON array'],
    ['tags', 'not json', 'Input "tags" must be a JSON array'],
  ])('says what is wrong with --input %s=%j', (name, text, message) => {
    expect(failure({ topic: 'x', [name]: text }).message).toBe(message);
  });

  it('names every unknown input, then every missing one, at once', () => {
    const unknown = failure({ topic: 'x', colour: 'red', size: 'L' });
    expect(unknown.message).toBe('Unknown inputs: colour, size');
    expect(unknown.hint).toBe('this workflow takes: topic, count, draft, options, tags, note');
    const missing = failure({});
    expect(missing.message).toBe('Missing input: topic');
    expect(missing.hint).toBe('pass --input name=value or --inputs-file');
  });
});
