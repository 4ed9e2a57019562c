// What `eval run` and `eval resume` share: the progress bar, and the exit code a run earns.

import { CONFIG_DEFAULTS } from '../../core/config.js';
import type { AppContext } from '../../core/context.js';
import { AppError } from '../../core/errors.js';
import { EXIT_CANCELLED } from '../../core/model-client/errors.js';
import type { EvalRunRecord } from '../../db/repositories/eval-repository.js';
import type { EvalFileError } from '../../evals/eval-file.js';
import type { EvalSummary } from '../../evals/summary.js';
import { type Progress, startProgress } from '../prompt/run-output.js';

export function concurrencyOf(ctx: AppContext, flag: number | undefined): number {
  return flag ?? ctx.config.get('concurrency') ?? CONFIG_DEFAULTS.concurrency;
}

/** A progress bar on a terminal: cells done, the pass rate and the cost so far. */
export function evalProgress(ctx: AppContext) {
  let bar: Progress | undefined;
  return {
    onStart: async (cells: number) => {
      bar = await startProgress(
        ctx,
        cells,
        ' {bar} {value}/{total} cells · {passRate} passed · {cost} · {duration_formatted}',
      );
    },
    onCell: ({ done, passed, costUsd }: { done: number; passed: number; costUsd: number }) =>
      bar?.update(done, {
        passRate: `${((passed / done) * 100).toFixed(0)}%`,
        cost: `$${costUsd.toFixed(4)}`,
      }),
    stop: () => bar?.stop(),
  };
}

/** Throws what a run that did not pass ends with: cancelled (130), or below the threshold. */
export function checkVerdict(run: EvalRunRecord, summary: EvalSummary): void {
  if (run.status === 'cancelled') {
    throw new AppError(
      `Cancelled: run ${run.id.slice(0, 8)} keeps the cells that finished; eval resume ${run.id.slice(0, 8)} runs the rest`,
      { code: 'CANCELLED', exitCode: EXIT_CANCELLED },
    );
  }
  if (!summary.passed) throw belowThreshold(summary);
}

function belowThreshold(summary: {
  threshold: number;
  variants: { label: string; ok: boolean; passRate: number }[];
}): AppError {
  const below = summary.variants
    .filter((v) => !v.ok)
    .map((v) => `${v.label} ${(v.passRate * 100).toFixed(1)}%`);
  return new AppError(
    `Below the threshold of ${(summary.threshold * 100).toFixed(1)}%: ${below.join(', ')}`,
    { code: 'EVAL_FAILED', hint: 'see the failing cells above, or eval show <run> --failing' },
  );
}

/** Every problem of an invalid eval file, a line each with its place. */
export function printEvalProblems(ctx: AppContext, error: EvalFileError): void {
  for (const problem of error.problems) {
    const where = problem.line === null ? error.file : `${error.file}:${problem.line}`;
    ctx.output.error(`${where} ${problem.path}: ${problem.message}`);
  }
}
