// JSON shapes and human output of eval commands.
import type { Output } from '../../core/output.js';
import type { EvalRunRecord } from '../../db/repositories/eval-repository.js';
import type { Comparison } from '../../evals/compare.js';
import type { EvalSummary } from '../../evals/summary.js';
import { formatDate } from '../shared.js';

const FAILURES_SHOWN = 20;

export function toRunJson(run: EvalRunRecord) {
  return {
    id: run.id,
    name: run.name,
    file: run.file,
    status: run.status,
    error: run.error,
    cells: run.cells,
    passed: run.passed,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export function toSummaryJson(run: EvalRunRecord, summary: EvalSummary) {
  return { ...toRunJson(run), ...summary };
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const usd = (cost: number | null) => (cost === null ? null : `$${cost.toFixed(4)}`);
const ms = (value: number | null) => (value === null ? null : `${value} ms`);

export function printSummary(output: Output, data: ReturnType<typeof toSummaryJson>): void {
  const { style } = output;
  output.table(
    ['Variant', 'Pass rate', 'Score', 'Tokens in/out', 'Cost', 'Latency mean/p95'],
    data.variants.map((v) => [
      v.label,
      `${(v.ok ? style.success : style.error)(percent(v.passRate))} (${v.passed}/${v.cells})`,
      v.meanScore.toFixed(2),
      `${v.inputTokens}/${v.outputTokens}`,
      usd(v.costUsd),
      v.meanLatencyMs === null ? null : `${ms(v.meanLatencyMs)} / ${ms(v.p95LatencyMs)}`,
    ]),
  );
  for (const failure of data.failures.slice(0, FAILURES_SHOWN)) {
    const repeat = failure.repeat > 0 ? ` (repeat ${failure.repeat + 1})` : '';
    output.info(
      `${style.error('✗')} ${failure.caseId}${repeat} · ${failure.variant}: ${failure.reason}`,
    );
  }
  if (data.failures.length > FAILURES_SHOWN) {
    output.info(
      style.dim(
        `… and ${data.failures.length - FAILURES_SHOWN} more: prompt-runner eval show ${data.id.slice(0, 8)} --failing`,
      ),
    );
  }
  const verdict = data.passed
    ? style.success(`✓ every variant reached ${percent(data.threshold)}`)
    : style.error(`✗ below the threshold of ${percent(data.threshold)}`);
  output.info(`${verdict} · run ${data.id.slice(0, 8)} (${data.status})`);
}

export function printRuns(output: Output, runs: ReturnType<typeof toRunJson>[]): void {
  if (runs.length === 0) {
    output.info('No eval runs yet. Run one: prompt-runner eval run evals/my-eval.yaml');
    return;
  }
  output.table(
    ['Id', 'Eval', 'Status', 'Passed', 'Started'],
    runs.map((run) => [
      output.style.id(run.id.slice(0, 8)),
      run.name,
      run.status,
      `${run.passed}/${run.cells}`,
      formatDate(run.startedAt),
    ]),
  );
}

export function printComparison(
  output: Output,
  comparison: Comparison,
  onlyChanged: boolean,
): void {
  const { style } = output;
  const pct = (r: { passRate: number } | null) =>
    r === null ? '–' : `${(r.passRate * 100).toFixed(1)}%`;
  output.info(
    `Against ${comparison.before.id.slice(0, 8)}: ${comparison.regressions} regressed, ${comparison.fixes} fixed`,
  );
  output.table(
    ['Variant', 'Before', 'After'],
    comparison.variants.map((v) => [v.variant, pct(v.before), pct(v.after)]),
  );
  const marks: Record<string, string> = {
    regressed: style.error('pass → fail'),
    fixed: style.success('fail → pass'),
    added: style.dim('new'),
    removed: style.dim('gone'),
    same: '',
  };
  const shown = comparison.cases.filter((c) => !onlyChanged || c.change !== 'same');
  if (shown.length === 0) return;
  output.table(
    ['Case', 'Variant', 'Change', 'Score'],
    shown.map((c) => [
      c.caseId,
      c.variant,
      marks[c.change] || (c.after?.pass ? 'pass' : 'fail'),
      c.after
        ? `${c.after.score.toFixed(2)}${c.scoreDelta ? ` (${c.scoreDelta > 0 ? '+' : ''}${c.scoreDelta.toFixed(2)})` : ''}`
        : null,
    ]),
  );
}
