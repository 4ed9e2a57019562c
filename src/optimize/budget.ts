// The spending limits of an optimization: at most so many calls and so many dollars. A call
// reserves its worst case before it starts (its input tokens plus the most it may answer,
// at the model's price), so no call can take the run past a limit; when it ends, the
// reservation becomes what it cost. A model without a known price counts against the calls
// only.

import { AppError } from '../core/errors.js';
import { costOf, type ModelPrice } from '../core/model-client/pricing.js';
import type { ChatMessage } from '../core/model-client/types.js';
import type { TokenCounter } from '../orchestration/retrieval/tokens.js';
import type { CallBudget, PreparedCall } from '../services/run-types.js';

export interface BudgetLimits {
  maxCalls?: number;
  maxCostUsd?: number;
}

export interface PlannedCall {
  model: string;
  inputTokens: number;
  /** The most the answer may take: the request's max tokens. */
  maxTokens: number;
}

export interface Reservation {
  readonly costUsd: number;
}

/** The limit a call would pass: the run stops before making it, keeping what finished. */
export class BudgetExhausted extends AppError {
  constructor(message: string) {
    super(message, {
      code: 'BUDGET',
      hint: 'raise --max-calls or --max-cost, or measure fewer cases, rounds or candidates',
    });
    this.name = 'BudgetExhausted';
  }
}

export class Budget {
  #calls = 0;
  #costUsd = 0;
  /** The limit a call would have passed, once one did: the run stops there. */
  exhausted: BudgetExhausted | null = null;
  /** Why each call that failed did, in order. */
  readonly failures: string[] = [];

  constructor(
    private readonly limits: BudgetLimits,
    private readonly prices: Record<string, ModelPrice> = {},
  ) {}

  /** The worst case of a call, in USD (0 when its model has no price). */
  worstCase(call: PlannedCall): number {
    return costOf(call.model, call.inputTokens, call.maxTokens, this.prices) ?? 0;
  }

  /** Takes a call's worst case from the budget, or throws BudgetExhausted without taking it. */
  reserve(call: PlannedCall): Reservation {
    const { maxCalls, maxCostUsd } = this.limits;
    if (this.exhausted) throw this.exhausted;
    if (maxCalls !== undefined && this.#calls + 1 > maxCalls) {
      this.exhausted = new BudgetExhausted(`The next call would pass --max-calls ${maxCalls}`);
      throw this.exhausted;
    }
    const costUsd = this.worstCase(call);
    if (maxCostUsd !== undefined && this.#costUsd + costUsd > maxCostUsd) {
      this.exhausted = new BudgetExhausted(
        `The next call (${call.model}, up to $${costUsd.toFixed(6)}) could pass --max-cost ${maxCostUsd}`,
      );
      throw this.exhausted;
    }
    this.#calls++;
    this.#costUsd += costUsd;
    return { costUsd };
  }

  /** The call was made: what it cost replaces its worst case (unknown: the worst case stays). */
  settle(reservation: Reservation, actualUsd: number | null): void {
    if (actualUsd !== null) this.#costUsd += actualUsd - reservation.costUsd;
  }

  /** The call failed: its worst case stays spent, and the failure is kept. */
  fail(reason: string): void {
    this.failures.push(reason);
  }

  get spent(): { calls: number; costUsd: number } {
    return { calls: this.#calls, costUsd: this.#costUsd };
  }
}

/** Tokens a message costs beyond its text (role and separators), at most. */
const MESSAGE_TOKENS = 4;
/** An image, audio or file part, counted at the most a high-detail image costs. */
const MEDIA_TOKENS = 1_500;

/** Other models' tokenizers may count a text as up to this much more than o200k does. */
const TOKENIZER_MARGIN = 1.1;

/**
 * The input tokens of messages as sent, at most: their text counted (with the margin for
 * other tokenizers), each media part at its most.
 */
export function messageTokens(messages: readonly ChatMessage[], count: TokenCounter): number {
  let tokens = 0;
  for (const { content } of messages) {
    tokens += MESSAGE_TOKENS;
    if (typeof content === 'string') {
      tokens += count(content);
      continue;
    }
    for (const part of content) tokens += part.type === 'text' ? count(part.text) : MEDIA_TOKENS;
  }
  return Math.ceil(tokens * TOKENIZER_MARGIN);
}

/** The budget as the run service sees it: each call to a model reserves its worst case first. */
export function callBudget(budget: Budget, counter: TokenCounter): CallBudget {
  return {
    get stopped() {
      return budget.exhausted !== null || budget.failures.length > 0;
    },
    async reserve(call: PreparedCall) {
      const planned = {
        model: call.settings.model,
        inputTokens: messageTokens(call.rendered.messages, counter),
        maxTokens: call.settings.parameters.maxTokens ?? 0,
      };
      const reservation = budget.reserve(planned);
      return {
        settle: (costUsd: number | null) => budget.settle(reservation, costUsd),
        fail: (reason: string) => budget.fail(reason),
      };
    },
  };
}
