// How optimizations print: the JSON document of one (with its story) and of a list, and the
// story told round by round.
import type { Output } from '../../core/output.js';
import type { OptimizationRecord } from '../../db/repositories/optimization-repository.js';
import { ANSWER_TOKENS, type Estimate } from '../../optimize/estimate.js';
import { points, pValue, rate, type Story } from '../../optimize/story.js';
import { formatDate, plural } from '../shared.js';

export function toOptimizationJson(record: OptimizationRecord) {
  const { definition: _definition, pid: _pid, story, ...rest } = record;
  return { ...rest, story: story as unknown as Story };
}

export type OptimizationJson = ReturnType<typeof toOptimizationJson>;

export function printOptimizations(output: Output, rows: OptimizationJson[]): void {
  if (rows.length === 0) {
    output.info('No optimization yet: prompt-runner optimize run <prompt> --eval <file>');
    return;
  }
  output.table(
    ['Id', 'Prompt', 'Versions', 'Status', 'Held out', 'Calls', 'Cost', 'Started'],
    rows.map((row) => {
      const { story } = row;
      const held = story.verdict?.heldOut;
      return [
        row.id.slice(0, 8),
        row.prompt,
        row.savedVersion ? `v${row.startVersion} → v${row.savedVersion}` : `v${row.startVersion}`,
        statusText(output, row.status),
        held ? `${rate(story.start?.heldOut)} → ${rate(held)}` : rate(story.start?.heldOut),
        row.calls,
        `$${row.costUsd.toFixed(4)}`,
        formatDate(row.startedAt),
      ];
    }),
  );
}

function statusText(output: Output, status: string): string {
  const text = status.replace('_', ' ');
  if (status === 'saved') return output.style.success(text);
  if (status === 'running' || status === 'not_saved') return text;
  return output.style.error(text);
}

/** The story, round by round: what was tried, what it scored, what was kept and why. */
export function printStory(output: Output, row: OptimizationJson): void {
  const { story } = row;
  const { split } = story;
  output.info(
    `Optimization ${row.id.slice(0, 8)} · ${row.prompt} v${row.startVersion} · ${row.evalFile} · ${statusText(output, row.status)}`,
  );
  if (split) {
    output.info(
      `Split (seed ${split.seed}, ${Math.round(split.fraction * 100)}% to train): ${plural(split.train.length, 'training case')}, ${split.heldOut.length} held out`,
    );
  }
  if (story.start) {
    output.info(
      `Start v${row.startVersion}: train ${rate(story.start.train)} · held out ${rate(story.start.heldOut)}`,
    );
  }
  for (const round of story.rounds ?? []) {
    output.info('');
    output.info(output.style.heading(`Round ${round.round} (from ${round.parent})`));
    for (const candidate of round.candidates) {
      const detail =
        candidate.status === 'measured'
          ? `train ${rate(candidate.train)} · ${oneLine(candidate.rationale)}`
          : oneLine(candidate.reason ?? candidate.rationale, 200);
      const status = candidate.status.replace('_', ' ').padEnd(12);
      output.info(`  ${candidate.id.padEnd(6)} ${status} ${detail}`);
    }
    output.info(`  → ${oneLine(round.why, 300) || 'stopped here'}`);
  }
  const { verdict } = story;
  if (verdict) {
    output.info('');
    if (verdict.heldOut && verdict.signTest && verdict.gain !== undefined) {
      const { wins, losses, ties, p } = verdict.signTest;
      output.info(
        `Held out: ${verdict.candidate} ${rate(verdict.heldOut)} against ${rate(story.start?.heldOut)} (${points(verdict.gain)}; ${wins} better, ${losses} worse, ${ties} same; ${pValue(p)})`,
      );
    }
    if (verdict.saved) {
      output.success(`Saved as ${row.prompt} v${verdict.version}: ${oneLine(verdict.why, 300)}`);
    } else {
      output.info(`Not saved: ${oneLine(verdict.why, 300)}`);
    }
  }
  if (row.error) output.info(output.style.error(`Ended early: ${oneLine(row.error.message, 300)}`));
  output.info(output.style.dim(`Spent: ${plural(row.calls, 'call')} · $${row.costUsd.toFixed(4)}`));
}

export function printEstimate(
  output: Output,
  plan: { prompt: string; version: number; train: number; heldOut: number; estimate: Estimate },
): void {
  const { estimate } = plan;
  output.info(
    `Would optimize ${plan.prompt} v${plan.version} on ${plural(plan.train, 'training case')}, judged on ${plan.heldOut} held out`,
  );
  output.info(
    `Calls: ${estimate.calls} when every rewrite is measured (at most ${estimate.maxCalls}, each structured answer asked again once)`,
  );
  output.info(
    estimate.costUsd === null
      ? 'Cost: unknown (no model it calls has a price)'
      : `Cost: at most $${estimate.costUsd.toFixed(4)}`,
  );
  if (estimate.unpriced.length > 0) {
    output.info(
      output.style.dim(
        `Without a price (count only against --max-calls): ${estimate.unpriced.join(', ')}`,
      ),
    );
  }
  if (estimate.unbounded.length > 0) {
    output.info(
      output.style.dim(
        `No max tokens (answers counted at ${ANSWER_TOKENS} tokens): ${estimate.unbounded.join(', ')}`,
      ),
    );
  }
}

/**
 * A text a model wrote (a rationale, a variable name in a reason), on one line for a
 * terminal: control characters (escape sequences, newlines) made spaces, clipped.
 */
function oneLine(text: string, max = 70): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
