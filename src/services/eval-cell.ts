// One cell of an eval: a case's call for a variant (and repeat), then its assertions.
import { AppError } from '../core/errors.js';
import type { EvalResultData } from '../db/repositories/eval-repository.js';
import {
  type AnswerContext,
  type AssertionOutcome,
  evaluate,
  isAcrossVariants,
} from '../evals/assertions.js';
import type { EvalCase } from '../evals/cases.js';
import type { Grade } from '../evals/graders.js';
import type { EvalServiceDeps } from './eval-service.js';
import type { Variant } from './eval-variants.js';
import { printableContent } from './media-parts.js';
import type { RecordWriter } from './record-writer.js';
import type { RunService } from './run-service.js';
import type { CallBudget } from './run-types.js';
import { StructuredOutputError } from './structured-run.js';

export interface CellTokens {
  inputTokens: number | null;
  outputTokens: number | null;
}

/** One cell: the call, then its assertions; a failed call is a failed cell. */
export async function runCell(
  deps: Pick<EvalServiceDeps, 'runs' | 'importModule'>,
  cell: { item: EvalCase; variant: Variant; index: number; repeat: number },
  run: { baseDir: string; root: string; writer: RecordWriter; grade?: Grade; budget?: CallBudget },
  signal: AbortSignal | undefined,
): Promise<{ result: EvalResultData; tokens: CellTokens }> {
  const { item, variant, index, repeat } = cell;
  const none = { inputTokens: null, outputTokens: null };
  const base = { caseId: item.id, variant: index, repeat };
  let call: ReturnType<Variant['prepare']>;
  try {
    call = variant.prepare(item.vars, repeat, item.history ? { history: item.history } : undefined);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { result: failed(base, error.message, null), tokens: none };
  }
  let answer: Awaited<ReturnType<RunService['execute']>>;
  try {
    answer = await deps.runs.execute(call, { writer: run.writer, signal, budget: run.budget });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const details = (error as { details?: { executionId?: string } }).details;
    const reason = signal?.aborted ? `cancelled: ${error.message}` : error.message;
    // An answer that does not follow the output schema is an answer, and a wrong one.
    const answer = error instanceof StructuredOutputError ? error.details.partialText : null;
    return {
      result: failed(base, reason, details?.executionId ?? null, answer),
      tokens: none,
    };
  }
  const context: AnswerContext = {
    output: answer.output,
    ...('data' in answer ? { data: answer.data } : {}),
    vars: item.vars,
    latencyMs: answer.latencyMs,
    costUsd: answer.costUsd,
    baseDir: run.baseDir,
    root: run.root,
    importModule: deps.importModule,
    grade: run.grade,
    question: printableContent(call.rendered.messages.at(-1)?.content ?? ''),
  };
  const outcomes = [];
  // select-best is judged once every variant of the case has answered (eval-select-best.ts).
  for (const spec of item.assert) {
    if (!isAcrossVariants(spec)) outcomes.push(await evaluate(spec, context));
  }
  return {
    result: {
      ...base,
      executionId: answer.executionId,
      output: answer.output,
      ...verdictOf(outcomes),
      assertions: outcomes,
      error: null,
      latencyMs: answer.latencyMs,
      costUsd: answer.costUsd,
    },
    tokens: { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens },
  };
}

/** A cell's pass (every assertion passed) and score (their weighted mean). */
export function verdictOf(outcomes: AssertionOutcome[]): { pass: boolean; score: number } {
  const weight = outcomes.reduce((total, o) => total + o.weight, 0);
  const score =
    weight === 0 ? 1 : outcomes.reduce((total, o) => total + o.score * o.weight, 0) / weight;
  return { pass: outcomes.every((o) => o.pass), score };
}

function failed(
  base: Pick<EvalResultData, 'caseId' | 'variant' | 'repeat'>,
  reason: string,
  executionId: string | null,
  output: string | null = null,
): EvalResultData {
  return {
    ...base,
    executionId,
    output,
    pass: false,
    score: 0,
    assertions: [],
    error: reason,
    latencyMs: null,
    costUsd: null,
  };
}
