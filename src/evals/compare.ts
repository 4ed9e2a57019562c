// Two runs of an eval side by side: variants matched by the prompt as the file names it
// (`summarize@production`) and then by model, cases by id. A case passes in a variant when
// every repeat of it passed; its score is their mean.
import type { RunDocument } from './report.js';

export type CaseChange = 'regressed' | 'fixed' | 'same' | 'added' | 'removed';

export interface CaseComparison {
  caseId: string;
  variant: string;
  before: { pass: boolean; score: number } | null;
  after: { pass: boolean; score: number } | null;
  change: CaseChange;
  scoreDelta: number | null;
}

export interface VariantComparison {
  variant: string;
  before: { passRate: number; cells: number } | null;
  after: { passRate: number; cells: number } | null;
}

export interface Comparison {
  before: { id: string; name: string };
  after: { id: string; name: string };
  variants: VariantComparison[];
  cases: CaseComparison[];
  regressions: number;
  fixes: number;
}

type Outcome = { pass: boolean; score: number };

/** Per variant key, per case: the case's outcome over its repeats. */
function outcomes(run: RunDocument): Map<string, Map<string, Outcome>> {
  const keys = variantKeys(run);
  const sums = new Map<string, Map<string, { pass: boolean; score: number; count: number }>>();
  for (const cell of run.results) {
    const key = keys[cell.variant] ?? String(cell.variant);
    const cases = sums.get(key) ?? new Map();
    sums.set(key, cases);
    const sum = cases.get(cell.caseId) ?? { pass: true, score: 0, count: 0 };
    sum.pass &&= cell.pass;
    sum.score += cell.score;
    sum.count++;
    cases.set(cell.caseId, sum);
  }
  return new Map(
    [...sums].map(([key, cases]) => [
      key,
      new Map([...cases].map(([id, s]) => [id, { pass: s.pass, score: s.score / s.count }])),
    ]),
  );
}

/** `prompt · model` for each variant of a run. */
function variantKeys(run: RunDocument): string[] {
  return run.variants.map((v) => `${v.prompt} · ${v.model}`);
}

/**
 * The variant of `before` each variant of `after` is compared with: the same prompt and
 * model, else the only one with the same prompt.
 */
function matchVariants(before: RunDocument, after: RunDocument): Map<string, string> {
  const beforeKeys = variantKeys(before);
  const matches = new Map<string, string>();
  after.variants.forEach((variant, index) => {
    const key = variantKeys(after)[index] as string;
    if (beforeKeys.includes(key)) matches.set(key, key);
    else {
      const samePrompt = before.variants
        .map((v, i) => (v.prompt === variant.prompt ? beforeKeys[i] : undefined))
        .filter((k): k is string => k !== undefined);
      if (samePrompt.length === 1) matches.set(key, samePrompt[0] as string);
    }
  });
  return matches;
}

export function compareRuns(before: RunDocument, after: RunDocument): Comparison {
  const a = outcomes(before);
  const b = outcomes(after);
  const matches = matchVariants(before, after);
  const matched = new Set(matches.values());
  const pairs: [string, string | null, string | null][] = [
    ...[...b.keys()].map((key): [string, string | null, string | null] => [
      key,
      matches.get(key) ?? null,
      key,
    ]),
    ...[...a.keys()]
      .filter((key) => !matched.has(key))
      .map((key): [string, string | null, string | null] => [key, key, null]),
  ];
  const cases: CaseComparison[] = [];
  const variants: VariantComparison[] = [];
  for (const [label, beforeKey, afterKey] of pairs) {
    const was = beforeKey ? (a.get(beforeKey) ?? new Map<string, Outcome>()) : new Map();
    const now = afterKey ? (b.get(afterKey) ?? new Map<string, Outcome>()) : new Map();
    variants.push({
      variant: label,
      before: beforeKey ? rate(was) : null,
      after: afterKey ? rate(now) : null,
    });
    for (const caseId of new Set([...now.keys(), ...was.keys()])) {
      const then = was.get(caseId) ?? null;
      const current = now.get(caseId) ?? null;
      cases.push({
        caseId,
        variant: label,
        before: then,
        after: current,
        change: changeOf(then, current),
        scoreDelta: then && current ? current.score - then.score : null,
      });
    }
  }
  return {
    before: { id: before.id, name: before.name },
    after: { id: after.id, name: after.name },
    variants,
    cases,
    regressions: cases.filter((c) => c.change === 'regressed').length,
    fixes: cases.filter((c) => c.change === 'fixed').length,
  };
}

function rate(cases: Map<string, Outcome>): { passRate: number; cells: number } {
  const passed = [...cases.values()].filter((c) => c.pass).length;
  return { passRate: cases.size === 0 ? 0 : passed / cases.size, cells: cases.size };
}

function changeOf(before: Outcome | null, after: Outcome | null): CaseChange {
  if (!before) return 'added';
  if (!after) return 'removed';
  if (before.pass && !after.pass) return 'regressed';
  if (!before.pass && after.pass) return 'fixed';
  return 'same';
}

/** Markdown fit for a pull request comment. */
export function comparisonMarkdown(comparison: Comparison, onlyChanged: boolean): string {
  const pct = (r: { passRate: number } | null) =>
    r === null ? '–' : `${(r.passRate * 100).toFixed(1)}%`;
  const lines = [
    `## Eval ${comparison.after.name}: ${comparison.regressions} regressed, ${comparison.fixes} fixed`,
    '',
    `\`${comparison.before.id.slice(0, 8)}\` → \`${comparison.after.id.slice(0, 8)}\``,
    '',
    '| Variant | Before | After |',
    '|---|---|---|',
    ...comparison.variants.map((v) => `| ${v.variant} | ${pct(v.before)} | ${pct(v.after)} |`),
  ];
  const shown = comparison.cases.filter((c) => !onlyChanged || c.change !== 'same');
  if (shown.length > 0) {
    lines.push('', '| Case | Variant | Change | Score |', '|---|---|---|---|');
    for (const c of shown) {
      const delta =
        c.scoreDelta === null ? '' : ` (${c.scoreDelta >= 0 ? '+' : ''}${c.scoreDelta.toFixed(2)})`;
      const score = c.after ? `${c.after.score.toFixed(2)}${delta}` : '–';
      lines.push(`| ${c.caseId} | ${c.variant} | ${c.change} | ${score} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
