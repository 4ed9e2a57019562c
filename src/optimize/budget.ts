// The spending limits of an optimization: at most so many calls and so many dollars. A call
// reserves its worst case before it starts (its input tokens plus the most it may answer,
// at the model's price), so no call can take the run past a limit; when it ends, the
// reservation becomes what it cost. A model without a known price counts against the calls
// only.

import { AppError } from '../core/errors.js';
import { costOf, type ModelPrice } from '../core/model-client/pricing.js';

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
    if (maxCalls !== undefined && this.#calls + 1 > maxCalls) {
      throw new BudgetExhausted(`The next call would pass --max-calls ${maxCalls}`);
    }
    const costUsd = this.worstCase(call);
    if (maxCostUsd !== undefined && this.#costUsd + costUsd > maxCostUsd) {
      throw new BudgetExhausted(
        `The next call (${call.model}, up to $${costUsd.toFixed(6)}) could pass --max-cost ${maxCostUsd}`,
      );
    }
    this.#calls++;
    this.#costUsd += costUsd;
    return { costUsd };
  }

  /** The call was made: what it cost replaces its worst case (unknown: the worst case stays). */
  settle(reservation: Reservation, actualUsd: number | null): void {
    if (actualUsd !== null) this.#costUsd += actualUsd - reservation.costUsd;
  }

  /** The call was not made after all (answered from the cache, or stopped): all of it back. */
  release(reservation: Reservation): void {
    this.#calls--;
    this.#costUsd -= reservation.costUsd;
  }

  get spent(): { calls: number; costUsd: number } {
    return { calls: this.#calls, costUsd: this.#costUsd };
  }
}
