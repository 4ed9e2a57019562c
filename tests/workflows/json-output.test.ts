import { describe, expect, it } from 'vitest';
import { parseJsonOutput } from '../../src/workflows/json-output.js';

describe('parseJsonOutput', () => {
  it.each([
    ['{"a": 1}', { a: 1 }],
    ['Sure! Here it is:\n```json\n{"a": [1, 2]}\n```\nAnything else?', { a: [1, 2] }],
    ['```\n[1, 2, 3]\n```', [1, 2, 3]],
    ['The result is {"a": "b"} as asked.', { a: 'b' }],
    ["{'a': 1, b: 'two',}", { a: 1, b: 'two' }],
    ['{"a": 1, "b": [1, 2', { a: 1, b: [1, 2] }],
    ['42', 42],
  ])('reads %j', async (answer, expected) => {
    expect(await parseJsonOutput(answer, undefined)).toEqual(expected);
  });

  it('refuses prose', async () => {
    await expect(parseJsonOutput('I cannot answer in JSON.', undefined)).rejects.toThrow(/no JSON/);
  });

  it('checks the schema and names what is wrong', async () => {
    const schema = {
      type: 'object',
      required: ['title'],
      properties: { count: { type: 'integer' } },
    };
    expect(await parseJsonOutput('{"title": "x", "count": 2}', schema)).toEqual({
      title: 'x',
      count: 2,
    });
    await expect(parseJsonOutput('{"count": "two"}', schema)).rejects.toThrow(
      /does not match the step's schema: .*(title|count)/,
    );
  });
});
