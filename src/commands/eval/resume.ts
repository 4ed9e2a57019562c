import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { checkVerdict, concurrencyOf, evalProgress } from './outcome.js';
import { printSummary, toSummaryJson } from './render.js';

const resumeSchema = (z: Zod) =>
  z.object({
    run: z.string(),
    concurrency: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(64))),
  });

export function createEvalResumeCommand(deps: CommandDeps): Command {
  const command = new Command('resume')
    .description(
      'Finish a stopped eval run: only the cells without a result, at the versions it started with',
    )
    .argument('<run>', 'run id (or a unique prefix)')
    .option('--concurrency <n>', 'calls at once (default: the concurrency setting)')
    .action(async (run: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(resumeSchema, { run, ...options }, cmd);
      const evals = await (await ctx.services()).evals();
      const progress = evalProgress(ctx);
      try {
        const result = await evals.resume(input.run, {
          concurrency: concurrencyOf(ctx, input.concurrency),
          signal: ctx.interruptSignal(),
          ...progress,
        });
        progress.stop();
        ctx.output.result(toSummaryJson(result.run, result.summary), (data) =>
          printSummary(ctx.output, data),
        );
        checkVerdict(result.run, result.summary);
      } finally {
        progress.stop();
      }
    });
  return withExamples(command, ['eval resume 3f2a']);
}
