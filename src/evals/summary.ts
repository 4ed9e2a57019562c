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

/** Cell by cell, without keeping the cells: memory stays flat however many there are. */
export class SummaryBuilder {
  private readonly stats: {
    cells: number;
    passed: number;
    score: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number | null;
    latencies: number[];
  }[];
  private readonly failures: FailedCell[] = [];

  constructor(
    private readonly variants: VariantConfig[],
    private readonly threshold: number,
  ) {
    this.stats = variants.map(() => ({
      cells: 0,
      passed: 0,
      score: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: null,
      latencies: [],
    }));
  }

  add(result: EvalResultRecord): void {
    const stats = this.stats[result.variant];
    if (!stats) return;
    stats.cells++;
    if (result.pass) stats.passed++;
    stats.score += result.score;
    stats.inputTokens += result.inputTokens ?? 0;
    stats.outputTokens += result.outputTokens ?? 0;
    if (result.costUsd !== null) stats.costUsd = (stats.costUsd ?? 0) + result.costUsd;
    if (result.latencyMs !== null) stats.latencies.push(result.latencyMs);
    if (!result.pass) {
      this.failures.push({
        caseId: result.caseId,
        variant: this.variants[result.variant]?.label ?? String(result.variant),
        repeat: result.repeat,
        reason: failureReason(result),
        executionId: result.executionId,
      });
    }
  }

  finish(): EvalSummary {
    const variants = this.variants.map((variant, index) => {
      const stats = this.stats[index] as SummaryBuilder['stats'][number];
      const passRate = stats.cells === 0 ? 0 : stats.passed / stats.cells;
      const { latencies } = stats;
      return {
        ...variant,
        cells: stats.cells,
        passed: stats.passed,
        passRate,
        meanScore: stats.cells === 0 ? 0 : stats.score / stats.cells,
        inputTokens: stats.inputTokens,
        outputTokens: stats.outputTokens,
        costUsd: stats.costUsd,
        meanLatencyMs:
          latencies.length === 0 ? null : Math.round(sum(latencies) / latencies.length),
        p95LatencyMs: percentile(latencies, 0.95),
        ok: stats.cells > 0 && passRate >= this.threshold,
      };
    });
    return {
      threshold: this.threshold,
      variants,
      failures: this.failures,
      passed: variants.every((v) => v.ok),
    };
  }
}

export function summarize(
  variants: VariantConfig[],
  results: EvalResultRecord[],
  threshold: number,
): EvalSummary {
  const builder = new SummaryBuilder(variants, threshold);
  for (const result of results) builder.add(result);
  return builder.finish();
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
