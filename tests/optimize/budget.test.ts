import { describe, expect, it } from 'vitest';
import { Budget, BudgetExhausted } from '../../src/optimize/budget.js';

// gpt-4o-mini: $0.15 input, $0.60 output per million tokens.
const call = { model: 'gpt-4o-mini', inputTokens: 1_000_000, maxTokens: 1_000_000 };

describe('Budget', () => {
  it('reserves each call at its worst case and refuses the one that could pass the cost limit', () => {
    const budget = new Budget({ maxCostUsd: 2 });
    const first = budget.reserve(call);
    expect(first.costUsd).toBeCloseTo(0.75, 10);
    // What the first actually cost frees the rest of its reservation.
    budget.settle(first, 0.1);
    expect(budget.spent.costUsd).toBeCloseTo(0.1, 10);
    budget.reserve(call);
    // 0.85 reserved or spent: a third could reach 1.60, a fourth 2.35.
    budget.reserve(call);
    expect(budget.exhausted).toBeNull();
    expect(() => budget.reserve(call)).toThrow(BudgetExhausted);
    expect(budget.exhausted?.message).toMatch(/could pass --max-cost 2/);
    expect(budget.spent.calls).toBe(3);
    // Once a limit is reached the run stops: nothing more is reserved, even what would fit.
    expect(() => budget.reserve({ ...call, inputTokens: 1, maxTokens: 1 })).toThrow(
      /could pass --max-cost 2/,
    );
  });

  it('counts calls against --max-calls, priced or not', () => {
    const budget = new Budget({ maxCalls: 2, maxCostUsd: 0.001 });
    const local = { model: 'llama3.1', inputTokens: 10_000, maxTokens: 10_000 };
    const reserved = budget.reserve(local);
    expect(reserved.costUsd).toBe(0);
    budget.reserve(local);
    expect(() => budget.reserve(local)).toThrow(/would pass --max-calls 2/);
    expect(budget.spent).toEqual({ calls: 2, costUsd: 0 });
  });

  it('knows the prices of the config', () => {
    const budget = new Budget({}, { 'my-model': { input: 1, output: 2 } });
    expect(budget.worstCase({ model: 'my-model', inputTokens: 500_000, maxTokens: 250_000 })).toBe(
      1,
    );
    expect(new Budget({}).reserve(call).costUsd).toBeCloseTo(0.75, 10);
  });
});
