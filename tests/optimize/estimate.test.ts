import { describe, expect, it } from 'vitest';
import { ANSWER_TOKENS, estimate, measurementCalls } from '../../src/optimize/estimate.js';

const cell = (model: string, maxTokens: number | null, structured = false) => ({
  model,
  inputTokens: 100,
  maxTokens,
  structured,
});

describe('measurementCalls', () => {
  it('counts each case × variant × repeat, and the grader calls of each answer and of the case', () => {
    const graded = { perAnswer: 2, acrossVariants: 1, criteriaTokens: 10 };
    const plans = measurementCalls(
      [{ rendered: [cell('a', 50), cell('b', null)], graded }],
      3,
      { model: 'judge', maxTokens: 20 },
      7,
    );
    expect(plans).toEqual([
      { ...cell('a', 50), inputTokens: 107, count: 3 },
      {
        model: 'judge',
        maxTokens: 20,
        inputTokens: 300 + 10 + 50 + 107,
        count: 6,
        structured: false,
      },
      { ...cell('b', null), inputTokens: 107, count: 3 },
      {
        model: 'judge',
        maxTokens: 20,
        inputTokens: 300 + 10 + ANSWER_TOKENS + 107,
        count: 6,
        structured: false,
      },
      // select-best: one call per repeat over both answers.
      {
        model: 'judge',
        maxTokens: 20,
        inputTokens: 300 + 10 + 50 + ANSWER_TOKENS,
        count: 3,
        structured: false,
      },
    ]);
    // Without a grader, the answers alone.
    expect(measurementCalls([{ rendered: [cell('a', 50)], graded }], 1, null, 0)).toHaveLength(1);
  });
});

describe('estimate', () => {
  it('adds up the calls and their worst cost, and names the models it cannot bound', () => {
    const result = estimate(
      [
        { ...cell('gpt-4o-mini', 1_000_000), inputTokens: 1_000_000, count: 2 },
        { ...cell('gpt-4o-mini', 1_000_000, true), inputTokens: 1_000_000, count: 1 },
        { ...cell('local-llama', null), count: 5 },
        { ...cell('gpt-4o', null), inputTokens: 0, count: 1 },
        { ...cell('gpt-4o', 10), count: 0 },
      ],
      {},
    );
    expect(result.calls).toBe(9);
    expect(result.maxCalls).toBe(10);
    // gpt-4o-mini: $0.15 in, $0.60 out per million; asked again, the call also carries its
    // first answer and the errors (2 × its max tokens). gpt-4o: $10 per million out.
    const mini = 0.15 + 0.6;
    const again = 0.15 * 3 + 0.6;
    const gpt4o = (ANSWER_TOKENS * 10) / 1e6;
    expect(result.costUsd).toBeCloseTo(2 * mini + mini + again + gpt4o, 10);
    expect(result.unpriced).toEqual(['local-llama']);
    expect(result.unbounded).toEqual(['gpt-4o']);
    expect(estimate([{ ...cell('local-llama', 5), count: 3 }], {}).costUsd).toBeNull();
  });
});
