// What an eval run comes to: per variant its pass rate, mean score, tokens, cost and latency,
// whether it reached the threshold, and the cells that failed.
import type { EvalResultRecord } from '../db/repositories/eval-repository.js';

export interface VariantConfig {
  /** The prompt as the eval file names it (`summarize@production`, `prompts/x.prompt`). */
  prompt: string;
  /** The version it resolved to when the run started (null for a `.prompt` file). */
  version: number | null;
  model: string;
  label: string;
}

export interface VariantSummary extends VariantConfig {
  cells: number;
  passed: number;
  passRate: number;
  meanScore: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  meanLatencyMs: number | null;
  p95LatencyMs: number | null;
  /** Whether the pass rate reached the threshold. */
  ok: boolean;
}

export interface FailedCell {
  caseId: string;
  variant: string;
  repeat: number;
  reason: string;
  executionId: string | null;
}

export interface EvalSummary {
  threshold: number;
  variants: VariantSummary[];
  failures: FailedCell[];
  /** Every variant reached the threshold. */
  passed: boolean;
}

export function summarize(
  variants: VariantConfig[],
  results: EvalResultRecord[],
  threshold: number,
): EvalSummary {
  const summaries = variants.map((variant, index) => {
    const cells = results.filter((r) => r.variant === index);
    const passed = cells.filter((r) => r.pass).length;
    const latencies = cells.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs]));
    const costs = cells.flatMap((r) => (r.costUsd === null ? [] : [r.costUsd]));
    const passRate = cells.length === 0 ? 0 : passed / cells.length;
    return {
      ...variant,
      cells: cells.length,
      passed,
      passRate,
      meanScore: cells.length === 0 ? 0 : sum(cells.map((r) => r.score)) / cells.length,
      inputTokens: sum(cells.map((r) => r.inputTokens ?? 0)),
      outputTokens: sum(cells.map((r) => r.outputTokens ?? 0)),
      costUsd: costs.length === 0 ? null : sum(costs),
      meanLatencyMs: latencies.length === 0 ? null : Math.round(sum(latencies) / latencies.length),
      p95LatencyMs: percentile(latencies, 0.95),
      ok: cells.length > 0 && passRate >= threshold,
    };
  });
  const failures = results
    .filter((r) => !r.pass)
    .map((r) => ({
      caseId: r.caseId,
      variant: variants[r.variant]?.label ?? String(r.variant),
      repeat: r.repeat,
      reason: failureReason(r),
      executionId: r.executionId,
    }));
  return {
    threshold,
    variants: summaries,
    failures,
    passed: summaries.every((v) => v.ok),
  };
}

/** Why a cell failed: its error, or the reasons of the assertions that did not pass. */
export function failureReason(result: EvalResultRecord): string {
  if (result.error) return result.error;
  const failed = (result.assertions as { type: string; pass: boolean; reason: string }[])
    .filter((a) => !a.pass)
    .map((a) => `${a.type}: ${a.reason}`);
  return failed.join('; ') || 'failed';
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? null;
}
