// The story of an optimization, as kept in its row and printed by `optimize show`: the split,
// the starting version's scores, each round's candidates (refused, measured, kept or not, and
// why) and the verdict on the held-out cases. Scores are read from the cells of eval runs.
import type { EvalResultRecord } from '../db/repositories/eval-repository.js';
import type { EvalCase } from '../evals/cases.js';
import type { FailedCase } from './candidates.js';
import type { SignTest } from './sign-test.js';

/** A prompt measured on some cases: one eval run. */
export interface Measurement {
  evalRunId: string;
  cases: number;
  cells: number;
  passed: number;
  /** Cells passed over cells. */
  passRate: number;
  /** The mean of the cells' scores: what breaks a tie of pass rates. */
  score: number;
}

export interface CandidateStory {
  /** `r2c1`: round 2, candidate 1. */
  id: string;
  rationale: string;
  body: string;
  system: string | null;
  status: 'refused' | 'measured' | 'not_measured';
  /** Why it was refused or not measured. */
  reason?: string;
  train?: Measurement;
}

export interface RoundStory {
  round: number;
  /** The candidate it started from (`start`: the starting version). */
  parent: string;
  optimizerExecutionId: string | null;
  candidates: CandidateStory[];
  /** The best measured candidate, and whether it became the next parent. */
  best: string | null;
  kept: boolean;
  why: string;
}

export interface Verdict {
  /** The candidate judged on the held-out cases (null: none beat the start on train). */
  candidate: string | null;
  heldOut?: Measurement;
  /** Its held-out pass rate minus the starting version's. */
  gain?: number;
  signTest?: SignTest;
  saved: boolean;
  version?: number;
  why: string;
}

export interface Story {
  prompt: string;
  startVersion: number;
  split: { seed: number; fraction: number; train: string[]; heldOut: string[] };
  start?: { train: Measurement; heldOut: Measurement };
  rounds: RoundStory[];
  verdict?: Verdict;
}

/** The cells of the cases in `ids`, as one measurement. */
export function measurement(
  evalRunId: string,
  results: readonly EvalResultRecord[],
  ids: ReadonlySet<string>,
): Measurement {
  const cells = results.filter((result) => ids.has(result.caseId));
  const passed = cells.filter((cell) => cell.pass).length;
  const total = cells.reduce((sum, cell) => sum + cell.score, 0);
  return {
    evalRunId,
    cases: ids.size,
    cells: cells.length,
    passed,
    passRate: cells.length === 0 ? 0 : passed / cells.length,
    score: cells.length === 0 ? 0 : total / cells.length,
  };
}

/** Whether `a` beats `b`: a higher pass rate, or the same one with a higher mean score. */
export function beats(a: Measurement, b: Measurement): boolean {
  return a.passRate > b.passRate || (a.passRate === b.passRate && a.score > b.score);
}

/** Each case's share of passed cells, in the order of `ids`: the sign test's pairs. */
export function caseScores(results: readonly EvalResultRecord[], ids: readonly string[]): number[] {
  const cells = new Map<string, { passed: number; total: number }>();
  for (const result of results) {
    const entry = cells.get(result.caseId) ?? { passed: 0, total: 0 };
    entry.total++;
    if (result.pass) entry.passed++;
    cells.set(result.caseId, entry);
  }
  return ids.map((id) => {
    const entry = cells.get(id);
    return entry && entry.total > 0 ? entry.passed / entry.total : 0;
  });
}

/** The training cases a prompt failed, with the first failing answer of each and why. */
export function failures(
  results: readonly EvalResultRecord[],
  cases: readonly EvalCase[],
): FailedCase[] {
  const failed = new Map<string, EvalResultRecord>();
  for (const result of results) {
    if (!result.pass && !failed.has(result.caseId)) failed.set(result.caseId, result);
  }
  return cases.flatMap((item) => {
    const cell = failed.get(item.id);
    if (!cell) return [];
    const reasons = (cell.assertions as { type: string; pass: boolean; reason: string }[])
      .filter((outcome) => !outcome.pass)
      .map((outcome) => `${outcome.type}: ${outcome.reason}`);
    if (cell.error) reasons.push(cell.error);
    return [{ id: item.id, vars: item.vars, output: cell.output, reasons }];
  });
}

/** A pass rate as printed. */
export const rate = (m: Measurement | undefined) => (m ? `${(m.passRate * 100).toFixed(1)}%` : '–');

/** A change of pass rate, in points. */
export const points = (gain: number) => `${gain >= 0 ? '+' : ''}${(gain * 100).toFixed(1)} pts`;

/** A p-value as printed: three decimals, or a bound when smaller. */
export const pValue = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);
