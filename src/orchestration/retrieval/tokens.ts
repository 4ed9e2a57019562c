// Context budgets in tokens, counted with the o200k_base encoding (the GPT-4o family's); other
// models' tokenizers differ by a few percent, which the budget's margin absorbs.

export const DEFAULT_MAX_CONTEXT_TOKENS = 24_000;
/** A model is given at most this share of its context window as codebase context. */
const WINDOW_SHARE = 0.5;

/** Models whose context window is smaller than twice the default budget. */
const SMALL_WINDOWS: [RegExp, number][] = [
  [/^gpt-4(-0314|-0613)?$/, 8_192],
  [/^gpt-3\.5-turbo/, 16_385],
  [/\bllama-?3(?![.\d])/i, 8_192],
  [/\bgemma(-?2)?(?![.\d])/i, 8_192],
  [/\bphi-?3(?![.\d])(?!.*128k)/i, 4_096],
  [/^(mistral|mixtral|qwen2(\.5)?)(:|$)/i, 32_768],
];

export type TokenCounter = (text: string) => number;

let counter: Promise<TokenCounter> | undefined;

/** The token counter, loaded on first use (its tables are large). */
export function tokenCounter(): Promise<TokenCounter> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => {
    const encoding = module as typeof import('gpt-tokenizer/encoding/o200k_base') & {
      default?: typeof import('gpt-tokenizer/encoding/o200k_base');
    };
    const count = encoding.countTokens ?? encoding.default?.countTokens;
    return (text: string) => count(text);
  });
  return counter;
}

/** The context window a model is known to have: from config first, then the table. */
export function contextWindow(model: string, configured?: Record<string, number>): number | null {
  const own = configured?.[model];
  if (own) return own;
  return SMALL_WINDOWS.find(([pattern]) => pattern.test(model))?.[1] ?? null;
}

/** The budget: the one asked for, else the default lowered to fit the model's window. */
export function contextBudget(options: {
  maxTokens?: number;
  model?: string;
  windows?: Record<string, number>;
}): { maxTokens: number; window: number | null } {
  const window = options.model ? contextWindow(options.model, options.windows) : null;
  if (options.maxTokens) return { maxTokens: options.maxTokens, window };
  const fitted = window ? Math.floor(window * WINDOW_SHARE) : DEFAULT_MAX_CONTEXT_TOKENS;
  return { maxTokens: Math.min(DEFAULT_MAX_CONTEXT_TOKENS, fitted), window };
}
