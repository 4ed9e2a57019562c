import { describe, expect, it } from 'vitest';
import { costOf, findPrice } from '../../../src/core/model-client/pricing.js';

describe('pricing', () => {
  it('finds a model by exact name, provider prefix or dated variant', () => {
    expect(findPrice('gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
    expect(findPrice('openai/gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
    expect(findPrice('gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(findPrice('gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
  });

  it('costs tokens per million, and knows nothing of unknown models', () => {
    expect(costOf('gpt-4o', 1_000_000, 500_000)).toBeCloseTo(2.5 + 5);
    expect(costOf('llama3.1:8b', 100, 100)).toBeNull();
    expect(costOf('gpt-4o', null, null)).toBeNull();
  });

  it('takes extra prices from config, over the built-in ones', () => {
    const extra = { 'llama3.1': { input: 0, output: 0 }, 'gpt-4o': { input: 1, output: 1 } };
    expect(costOf('llama3.1', 100, 100, extra)).toBe(0);
    expect(costOf('llama3.1:8b', 100, 100, extra)).toBe(0);
    expect(costOf('gpt-4o', 1_000_000, 0, extra)).toBe(1);
  });
});
