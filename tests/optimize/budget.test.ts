import { describe, expect, it } from 'vitest';
import { Budget, BudgetExhausted } from '../../src/optimize/budget.js';

// gpt-4o-mini: $0.15 input, $0.60 output per million tokens.
const call = { model: 'gpt-4o-mini', inputTokens: 1_000_000, maxTokens: 1_000_000 };

describe('Budget', () => {
  it('reserves each call at its worst case and refuses the one that could pass the cost limit', () => {
    const budget = new Budget({ maxCostUsd: 2 });
    const first = budget.reserve(call);
    expect(first.costUsd).toBeCloseTo(0.75, 10);
    budget.reserve(call);
    // 1.50 reserved: a third could reach 2.25.
    expect(() => budget.reserve(call)).toThrow(BudgetExhausted);
    expect(() => budget.reserve(call)).toThrow(/could pass --max-cost 2/);
    // What the first actually cost frees the rest of its reservation.
    budget.settle(first, 0.1);
    expect(budget.spent.costUsd).toBeCloseTo(0.85, 10);
    budget.reserve(call);
    expect(budget.spent.calls).toBe(3);
  });

  it('counts calls against --max-calls, priced or not, and gives back what was not called', () => {
    const budget = new Budget({ maxCalls: 2, maxCostUsd: 0.001 });
    const local = { model: 'llama3.1', inputTokens: 10_000, maxTokens: 10_000 };
    const reserved = budget.reserve(local);
    expect(reserved.costUsd).toBe(0);
    budget.release(reserved);
    budget.reserve(local);
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
