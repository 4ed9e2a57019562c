// The options that choose the codebase context, shared by `orchestrate analyze` and
// `orchestrate context`, and how the choice is shown.
import type { Command } from 'commander';
import type { Output } from '../../core/output.js';
import type { CodebaseContext } from '../../orchestration/context-builder.js';
import { collect } from '../prompt/inputs.js';
import { plural, type Zod } from '../shared.js';

export function addContextOptions(command: Command): Command {
  return command
    .option('--context <glob>', 'also include files matching this glob (repeatable)', collect)
    .option('--exclude <glob>', 'leave files matching this glob out (repeatable)', collect)
    .option('--root <dir>', "the codebase (default: the project's root)")
    .option(
      '--max-context-tokens <n>',
      'budget for the codebase context (default 24000, less for a model with a small window)',
    )
    .option(
      '--max-context-chars <n>',
      'the budget in characters (taken as a quarter as many tokens)',
    );
}

export const contextFields = (z: Zod) => ({
  context: z.optional(z.array(z.string())),
  exclude: z.optional(z.array(z.string())),
  root: z.optional(z.string()),
  maxContextTokens: z.optional(z.coerce.number().check(z.int(), z.positive())),
  maxContextChars: z.optional(z.coerce.number().check(z.int(), z.positive())),
});

export function contextFlags(input: {
  context?: string[];
  exclude?: string[];
  root?: string;
  maxContextTokens?: number;
  maxContextChars?: number;
}) {
  return {
    root: input.root,
    globs: input.context,
    exclude: input.exclude,
    maxTokens: input.maxContextTokens,
    maxChars: input.maxContextChars,
  };
}

/** The context as scripts read it: what goes in, why, and what stays out. */
export function toContextJson(context: CodebaseContext) {
  return {
    root: context.root,
    totalFiles: context.totalFiles,
    budget: context.budget,
    files: context.files,
    skipped: context.skipped,
    index: context.index,
  };
}

export function budgetLine(context: CodebaseContext): string {
  const { usedTokens, maxTokens, window } = context.budget;
  const share = maxTokens ? Math.round((usedTokens / maxTokens) * 100) : 0;
  const fitted = window ? ` (fitted to a ${window}-token window)` : '';
  return `${plural(context.files.length, 'file')}, ${usedTokens} of ${maxTokens} tokens (${share}%)${fitted}`;
}

/** A progress line while a large codebase is first indexed. */
export function indexProgress(update: (text: string) => void) {
  return ({ indexed, total }: { indexed: number; total: number }) =>
    update(`Indexing the codebase… ${indexed}/${total} files`);
}

export function printContext(output: Output, context: CodebaseContext): void {
  output.table(
    ['File', 'Lines', 'Tokens', 'Why', 'Score'],
    context.files.map((file) => [
      file.path,
      file.whole
        ? `all ${file.lines}`
        : `${file.ranges.map((r) => (r.start === r.end ? r.start : `${r.start}-${r.end}`)).join(', ')} of ${file.lines}`,
      String(file.tokens),
      file.reason,
      file.score === undefined ? '' : file.score.toFixed(2),
    ]),
  );
  if (context.budget.mapTokens > 0)
    output.info(`Repository map: ${context.budget.mapTokens} tokens`);
  const overBudget = context.skipped.filter((s) => s.reason === 'over the context budget');
  for (const skipped of context.skipped) {
    if (skipped.reason !== 'over the context budget')
      output.info(`Left out ${skipped.path}: ${skipped.reason}`);
  }
  if (overBudget.length > 0) {
    const shown = overBudget.slice(0, 5).map((s) => s.path);
    const more = overBudget.length > 5 ? `, and ${overBudget.length - 5} more` : '';
    output.info(`Left out for the budget: ${shown.join(', ')}${more} (--json lists them)`);
  }
  output.info(`Context: ${budgetLine(context)}`);
}
