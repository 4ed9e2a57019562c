// USD per million tokens for common models. `config set pricing '{"my-model": {"input": 0.2,
// "output": 0.6}}'` adds or overrides entries. A model that matches nothing has no cost
// (null): unknown is not free.
export interface ModelPrice {
  input: number;
  output: number;
}

export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'mistral-large': { input: 2, output: 6 },
  'mistral-small': { input: 0.2, output: 0.6 },
};

/**
 * The price of a model: an exact name first, then without a provider prefix
 * (`openai/gpt-4o-mini`), then the longest known name it starts with (`gpt-4o-2024-08-06`).
 */
export function findPrice(
  model: string,
  extra: Record<string, ModelPrice> = {},
): ModelPrice | null {
  const prices = { ...DEFAULT_PRICES, ...extra };
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  for (const name of [model, bare]) {
    const exact = prices[name];
    if (exact) return exact;
  }
  const prefix = Object.keys(prices)
    .filter((name) => bare.startsWith(`${name}-`) || bare.startsWith(`${name}:`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? (prices[prefix] ?? null) : null;
}

/** Cost in USD, or null when the model's price or the token counts are unknown. */
export function costOf(
  model: string,
  inputTokens: number | null,
  outputTokens: number | null,
  extra?: Record<string, ModelPrice>,
): number | null {
  const price = findPrice(model, extra);
  if (!price || inputTokens === null || outputTokens === null) return null;
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
