import { Command } from 'commander';
import { CONFIG_DEFAULTS } from '../../core/config.js';
import type { AppContext } from '../../core/context.js';
import { AppError, ValidationError } from '../../core/errors.js';
import { EXIT_CANCELLED } from '../../core/model-client/errors.js';
import { EvalFileError } from '../../evals/eval-file.js';
import { startProgress } from '../prompt/run-output.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printSummary, toSummaryJson } from './render.js';

const runSchema = (z: Zod) =>
  z.object({
    file: z.string(),
    project: z.optional(z.string()),
    concurrency: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(64))),
    repeat: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
    filter: z.optional(z.string()),
    cache: z.optional(z.boolean()),
  });

export function createEvalRunCommand(deps: CommandDeps): Command {
  const command = new Command('run')
    .description(
      'Run an eval file: every case against every prompt × model, each answer checked; exit 1 below the threshold',
    )
    .argument('<file>', 'the eval file (YAML)')
    .option(
      '-p, --project <name>',
      'project whose stored prompts it names (default: the current one)',
    )
    .option('--concurrency <n>', 'calls at once (default: the concurrency setting)')
    .option('--repeat <n>', 'run each case this many times (fresh calls), overriding the file')
    .option('--filter <regex>', 'only the cases whose id or description matches')
    .option('--no-cache', 'call the model even when an identical call was answered before')
    .action(async (file: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(runSchema, { file, ...options }, cmd);
      let filter: RegExp | undefined;
      try {
        filter = input.filter === undefined ? undefined : new RegExp(input.filter);
      } catch (error) {
        throw new ValidationError(`Invalid --filter: ${(error as Error).message}`);
      }
      const services = await ctx.services();
      const prompts = await services.prompts();
      // Without a project, stored prompts are the global ones (an eval of .prompt files needs none).
      const scope = await prompts.scope(ctx.projectName(input.project) ?? null);
      const evals = await services.evals();
      const signal = ctx.interruptSignal();
      let progress: Awaited<ReturnType<typeof startProgress>> | undefined;
      try {
        const { run, summary } = await evals.run(scope, input.file, {
          concurrency:
            input.concurrency ?? ctx.config.get('concurrency') ?? CONFIG_DEFAULTS.concurrency,
          repeat: input.repeat,
          filter,
          noCache: input.cache === false,
          signal,
          onStart: async (cells) => {
            progress = await startProgress(
              ctx,
              cells,
              ' {bar} {value}/{total} cells · {passRate} passed · {cost} · {duration_formatted}',
            );
          },
          onCell: ({ done, passed, costUsd }) =>
            progress?.update(done, {
              passRate: `${((passed / done) * 100).toFixed(0)}%`,
              cost: `$${costUsd.toFixed(4)}`,
            }),
        });
        progress?.stop();
        ctx.output.result(toSummaryJson(run, summary), (data) => printSummary(ctx.output, data));
        if (run.status === 'cancelled') {
          throw new AppError(`Cancelled: run ${run.id.slice(0, 8)} keeps the cells that finished`, {
            code: 'CANCELLED',
            exitCode: EXIT_CANCELLED,
          });
        }
        if (!summary.passed) throw belowThreshold(summary);
      } catch (error) {
        progress?.stop();
        if (error instanceof EvalFileError) printProblems(ctx, error);
        throw error;
      }
    });
  return withExamples(command, [
    'eval run evals/summaries.yaml',
    'eval run evals/summaries.yaml --concurrency 8 --repeat 3',
    'eval run evals/summaries.yaml --filter "^long-" --no-cache --json',
  ]);
}

function belowThreshold(summary: {
  threshold: number;
  variants: { label: string; ok: boolean; passRate: number }[];
}): AppError {
  const below = summary.variants
    .filter((v) => !v.ok)
    .map((v) => `${v.label} ${(v.passRate * 100).toFixed(1)}%`);
  return new AppError(
    `Below the threshold of ${(summary.threshold * 100).toFixed(1)}%: ${below.join(', ')}`,
    { code: 'EVAL_FAILED', hint: 'see the failing cells above, or eval show <run> --failing' },
  );
}

function printProblems(ctx: AppContext, error: EvalFileError): void {
  for (const problem of error.problems) {
    const where = problem.line === null ? error.file : `${error.file}:${problem.line}`;
    ctx.output.error(`${where} ${problem.path}: ${problem.message}`);
  }
}
