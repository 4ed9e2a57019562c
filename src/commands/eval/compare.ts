import { Command } from 'commander';
import { compareRuns, comparisonMarkdown } from '../../evals/compare.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printComparison } from './render.js';

const compareSchema = (z: Zod) =>
  z.object({
    before: z.string(),
    after: z.string(),
    onlyChanged: z.optional(z.boolean()),
    format: z.optional(z.enum(['table', 'md'])),
  });

export function createEvalCompareCommand(deps: CommandDeps): Command {
  const command = new Command('compare')
    .description('Two runs case by case: pass → fail, fail → pass, score changes and totals')
    .argument('<before>', 'run id (or prefix), latest… or a .json file eval run -o wrote')
    .argument('<after>', 'run id (or prefix) or a .json file')
    .option('--only-changed', 'only the cases whose result changed')
    .option('--format <format>', 'table (default) or md (Markdown, for a pull request comment)')
    .action(async (before: string, after: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(compareSchema, { before, after, ...options }, cmd);
      const evals = await (await ctx.services()).evals();
      const load = (spec: string) =>
        spec.endsWith('.json') ? evals.baseline(spec, '', '') : evals.document(spec);
      const comparison = compareRuns(await load(input.before), await load(input.after));
      const shown = input.onlyChanged
        ? { ...comparison, cases: comparison.cases.filter((c) => c.change !== 'same') }
        : comparison;
      ctx.output.result(shown, (data) => {
        if (input.format === 'md') ctx.output.text(comparisonMarkdown(data, false));
        else printComparison(ctx.output, data, false);
      });
    });
  return withExamples(command, [
    'eval compare 3f2a 9c1b',
    'eval compare baseline.json 9c1b --only-changed --format md',
  ]);
}
