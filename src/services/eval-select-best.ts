// select-best: once every variant of a case has answered, the grader sees their answers in a
// shuffled order and chooses the one that best meets the criteria. The chosen cell passes the
// assertion, the others fail it, each with the grader's reason.
import type { EvalResultData } from '../db/repositories/eval-repository.js';
import { type AssertionOutcome, isAcrossVariants, outcomeOf } from '../evals/assertions.js';
import type { EvalCase } from '../evals/cases.js';
import { type Grade, parseChoice, selectBestCall } from '../evals/graders.js';
import { verdictOf } from './eval-cell.js';

/** Adds the outcome of each select-best assertion of `item` to the cells that answered. */
export async function selectBest(
  item: EvalCase,
  cells: EvalResultData[],
  labels: string[],
  grade: Grade | undefined,
): Promise<void> {
  const answered = cells.filter((cell) => cell.output !== null && cell.error === null);
  for (const spec of item.assert.filter(isAcrossVariants)) {
    let verdicts: { pass: boolean; reason: string }[];
    try {
      if (!grade) throw new Error('no grader: name one with grader: in the eval file');
      if (answered.length < 2) {
        verdicts = answered.map(() => ({ pass: true, reason: 'the only answer' }));
      } else {
        const seed = `${item.id}#${answered[0]?.repeat ?? 0}`;
        const outputs = answered.map((cell) => cell.output as string);
        const { call, order } = selectBestCall(String(spec.value), outputs, seed);
        const choice = await parseChoice(await grade(call), answered.length);
        const chosen = order[choice.best] as number;
        const label = labels[answered[chosen]?.variant ?? 0] ?? 'another variant';
        verdicts = answered.map((_, index) => ({
          pass: index === chosen,
          reason:
            index === chosen ? `chosen: ${choice.reason}` : `${label} was chosen: ${choice.reason}`,
        }));
      }
    } catch (error) {
      const reason = `the check failed: ${(error as Error).message}`;
      verdicts = answered.map(() => ({ pass: false, reason }));
    }
    answered.forEach((cell, index) => {
      const verdict = verdicts[index] as { pass: boolean; reason: string };
      const failed = verdict.reason.startsWith('the check failed');
      const outcome = failed
        ? {
            type: spec.type,
            pass: false,
            score: 0,
            reason: verdict.reason,
            weight: spec.weight ?? 1,
          }
        : outcomeOf(spec, verdict);
      const outcomes = [...(cell.assertions as AssertionOutcome[]), outcome];
      Object.assign(cell, { assertions: outcomes, ...verdictOf(outcomes) });
    });
  }
}
