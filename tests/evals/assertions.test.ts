import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnswerContext, assertionProblem, evaluate } from '../../src/evals/assertions.js';
import type { AssertionSpec } from '../../src/evals/eval-file.js';
import { tempDir } from '../support/temp.js';

function context(output: string, extra: Partial<AnswerContext> = {}): AnswerContext {
  const dir = extra.baseDir ?? tempDir();
  return {
    output,
    vars: { name: 'Ada' },
    latencyMs: 120,
    costUsd: 0.002,
    baseDir: dir,
    root: dir,
    importModule: (url) => import(url),
    ...extra,
  };
}

const check = async (spec: AssertionSpec, output: string, extra?: Partial<AnswerContext>) =>
  evaluate(spec, context(output, extra));

describe('assertions', () => {
  const json = '{"name": "Ada", "tags": ["x", "y"], "age": 36}';
  it.each<[AssertionSpec, string, boolean]>([
    [{ type: 'equals', value: 'Hello' }, 'Hello', true],
    [{ type: 'equals', value: 'Hello' }, 'Hello!', false],
    [{ type: 'equals', value: { age: 36, name: 'Ada', tags: ['x', 'y'] } }, json, true],
    [{ type: 'contains', value: 'ell' }, 'Hello', true],
    [{ type: 'contains', value: 'ELL' }, 'Hello', false],
    [{ type: 'icontains', value: 'ELL' }, 'Hello', true],
    [{ type: 'contains-any', value: ['zz', 'He'] }, 'Hello', true],
    [{ type: 'contains-any', value: ['zz', 'yy'] }, 'Hello', false],
    [{ type: 'contains-all', value: ['H', 'o'] }, 'Hello', true],
    [{ type: 'contains-all', value: ['H', 'z'] }, 'Hello', false],
    [{ type: 'starts-with', value: 'He' }, 'Hello', true],
    [{ type: 'starts-with', value: 'lo' }, 'Hello', false],
    [{ type: 'regex', value: '^H.+o$' }, 'Hello', true],
    [{ type: 'regex', value: '^\\d+$' }, 'Hello', false],
    [{ type: 'is-json' }, json, true],
    [{ type: 'is-json' }, '{nope', false],
    [{ type: 'json-schema', value: { type: 'object', required: ['name'] } }, json, true],
    [{ type: 'json-schema', value: { type: 'object', required: ['email'] } }, json, false],
    [{ type: 'json-path', path: '$.tags[1]', value: 'y' }, json, true],
    [{ type: 'json-path', path: '$.age', value: 37 }, json, false],
    [{ type: 'levenshtein', value: 'Hallo', max: 1 }, 'Hello', true],
    [{ type: 'levenshtein', value: 'Howdy', max: 1 }, 'Hello', false],
    [{ type: 'length', min: 3, max: 5 }, 'Hello', true],
    [{ type: 'length', max: 4 }, 'Hello', false],
    [{ type: 'word-count', min: 2 }, 'Hello there', true],
    [{ type: 'word-count', min: 3 }, 'Hello there', false],
    [{ type: 'latency', max: 200 }, 'x', true],
    [{ type: 'latency', max: 100 }, 'x', false],
    [{ type: 'cost', max: 0.01 }, 'x', true],
    [{ type: 'cost', max: 0.001 }, 'x', false],
  ])('%j on %j: %s', async (spec, output, pass) => {
    const outcome = await check(spec, output);
    expect(outcome.pass).toBe(pass);
    // A pass scores above 0, a failure below 1 (some score a partial match).
    if (pass) expect(outcome.score).toBeGreaterThan(0);
    else expect(outcome.score).toBeLessThan(1);
    expect(outcome.reason).not.toBe('');
    // Negated, the verdict flips.
    const negated = await check({ ...spec, type: `not-${spec.type}` }, output);
    expect(negated.pass).toBe(!pass);
    expect(negated.reason).toMatch(/^not: /);
  });

  it('scores partial matches, applies thresholds and weights', async () => {
    const some = await check({ type: 'contains-all', value: ['a', 'b', 'c', 'z'] }, 'abc');
    expect(some).toMatchObject({ pass: false, score: 0.75, weight: 1 });
    const enough = await check(
      { type: 'contains-all', value: ['a', 'b', 'c', 'z'], threshold: 0.7, weight: 3 },
      'abc',
    );
    expect(enough).toMatchObject({ pass: true, score: 0.75, weight: 3 });
    const close = await check({ type: 'levenshtein', value: 'Hallo', max: 1 }, 'Hello');
    expect(close.score).toBeCloseTo(0.8);
  });

  it('says why a latency or cost cannot be judged', async () => {
    expect(await check({ type: 'cost', max: 1 }, 'x', { costUsd: null })).toMatchObject({
      pass: false,
      reason: expect.stringContaining('no cost known'),
    });
    expect(await check({ type: 'latency', max: 1 }, 'x', { latencyMs: null })).toMatchObject({
      pass: false,
    });
  });

  it('runs a javascript check of the user, ESM or CommonJS, and a throwing one fails', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'check.mjs'),
      'export default (output, { vars }) => ({ pass: output.includes(vars.name), score: 0.9, reason: "named" });',
    );
    writeFileSync(join(dir, 'score.cjs'), 'module.exports = (output) => output.length / 10;');
    writeFileSync(join(dir, 'boom.mjs'), 'export function check() { throw new Error("kaboom"); }');
    writeFileSync(join(dir, 'odd.mjs'), 'export default () => "yes";');
    const at = { baseDir: dir };
    expect(await check({ type: 'javascript', file: 'check.mjs' }, 'Hi Ada', at)).toMatchObject({
      pass: true,
      score: 0.9,
      reason: 'named',
    });
    expect(await check({ type: 'javascript', file: 'score.cjs' }, 'Hi', at)).toMatchObject({
      pass: false,
      score: 0.2,
    });
    const thrown = await check({ type: 'not-javascript', file: 'boom.mjs' }, 'Hi', at);
    expect(thrown).toMatchObject({ pass: false, score: 0, reason: 'the check failed: kaboom' });
    const odd = await check({ type: 'javascript', file: 'odd.mjs' }, 'Hi', at);
    expect(odd.reason).toContain('not a boolean, a number or {pass, score, reason}');
    const missing = await check({ type: 'javascript', file: 'gone.mjs' }, 'Hi', at);
    expect(missing).toMatchObject({
      pass: false,
      reason: expect.stringContaining('the check failed'),
    });
  });

  it('names what an assertion lacks', () => {
    expect(assertionProblem({ type: 'contains' })).toBe('contains needs a text value');
    expect(assertionProblem({ type: 'not-regex', value: '(' })).toMatch(/invalid pattern/);
    expect(assertionProblem({ type: 'length' })).toBe('length needs min, max or both');
    expect(assertionProblem({ type: 'similar', value: 'x' })).toMatch(/unknown assertion type/);
    expect(assertionProblem({ type: 'llm-rubric' })).toBe(
      'llm-rubric needs the rubric as its value',
    );
    expect(assertionProblem({ type: 'is-json' })).toBeUndefined();
  });
});
