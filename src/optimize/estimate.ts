// What an optimization may spend, before it starts (`--dry-run`): the calls it makes when
// every round's rewrites are all measured, the most it can make (each structured answer asked
// again once), and the most they can cost, each call at its worst case (its input plus its
// max tokens). A rewrite is counted as at most the optimizer's answer longer than the prompt.
import type { ModelPrice } from '../core/model-client/pricing.js';
import { Budget } from './budget.js';

/** A kind of call the optimization makes, `count` times. */
export interface PlannedCalls {
  model: string;
  inputTokens: number;
  /** Null: the call sets none (then ANSWER_TOKENS is assumed for its cost). */
  maxTokens: number | null;
  count: number;
  /** Each one may be asked again once (its answer must follow a schema). */
  structured: boolean;
}

export interface Estimate {
  /** Calls made when every round measures every rewrite it asked for. */
  calls: number;
  /** With every structured answer asked again once. */
  maxCalls: number;
  /** The most they can cost; null when no model they use has a price. */
  costUsd: number | null;
  /** Models without a price: they count only against --max-calls. */
  unpriced: string[];
  /** Priced models called without max tokens: their answers are counted at ANSWER_TOKENS. */
  unbounded: string[];
}

/** The answer assumed for a call that sets no max tokens. */
export const ANSWER_TOKENS = 4_096;

export function estimate(plans: readonly PlannedCalls[], prices: Record<string, ModelPrice>) {
  const budget = new Budget({}, prices);
  const result: Estimate = { calls: 0, maxCalls: 0, costUsd: null, unpriced: [], unbounded: [] };
  const unpriced = new Set<string>();
  const unbounded = new Set<string>();
  for (const plan of plans) {
    if (plan.count === 0) continue;
    const times = plan.structured ? 2 : 1;
    result.calls += plan.count;
    result.maxCalls += plan.count * times;
    const maxTokens = plan.maxTokens ?? ANSWER_TOKENS;
    const call = { model: plan.model, inputTokens: plan.inputTokens, maxTokens };
    if (budget.worstCase({ ...call, inputTokens: 1 }) === 0) {
      unpriced.add(plan.model);
      continue;
    }
    if (plan.maxTokens === null) unbounded.add(plan.model);
    // Asked again, a call also carries its first answer and the errors.
    const again = plan.structured
      ? budget.worstCase({ ...call, inputTokens: call.inputTokens + maxTokens * 2 })
      : 0;
    result.costUsd = (result.costUsd ?? 0) + plan.count * (budget.worstCase(call) + again);
  }
  result.unpriced = [...unpriced];
  result.unbounded = [...unbounded];
  return result;
}

/** A case's call for one variant, rendered: the optimization counts its tokens. */
export interface RenderedCell {
  model: string;
  inputTokens: number;
  maxTokens: number | null;
  structured: boolean;
}

/** What a grader adds to each answer's cell: its calls and their size. */
export interface GradedCase {
  /** llm-rubric and factuality assertions: one grader call each per answer. */
  perAnswer: number;
  /** select-best: one grader call per repeat, over every variant's answer. */
  acrossVariants: number;
  /** The rubric, reference or criteria text, in tokens (the most of the case's). */
  criteriaTokens: number;
}

/** A grader's instructions and framing, in tokens, at most. */
const GRADER_FRAME = 300;

/**
 * The calls of measuring a prompt on some cases: each case × variant × repeat, its grader
 * calls, the rewrite's growth added to each input.
 */
export function measurementCalls(
  cells: readonly { rendered: RenderedCell[]; graded: GradedCase }[],
  repeat: number,
  grader: { model: string; maxTokens: number | null } | null,
  growth: number,
): PlannedCalls[] {
  const plans: PlannedCalls[] = [];
  for (const { rendered, graded } of cells) {
    let answers = 0;
    for (const cell of rendered) {
      const inputTokens = cell.inputTokens + growth;
      plans.push({ ...cell, inputTokens, count: repeat });
      const answer = cell.maxTokens ?? ANSWER_TOKENS;
      answers += answer;
      if (grader && graded.perAnswer > 0) {
        const input = GRADER_FRAME + graded.criteriaTokens + answer + inputTokens;
        plans.push({
          ...grader,
          inputTokens: input,
          count: repeat * graded.perAnswer,
          structured: false,
        });
      }
    }
    if (grader && graded.acrossVariants > 0) {
      const input = GRADER_FRAME + graded.criteriaTokens + answers;
      plans.push({
        ...grader,
        inputTokens: input,
        count: repeat * graded.acrossVariants,
        structured: false,
      });
    }
  }
  return plans;
}
