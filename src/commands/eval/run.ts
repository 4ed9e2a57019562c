import { extname } from 'node:path';
import { Command } from 'commander';
import { AppError, ValidationError } from '../../core/errors.js';
import { type Comparison, compareRuns } from '../../evals/compare.js';
import { EvalFileError } from '../../evals/eval-file.js';
import { formatRun, OUTPUT_EXTENSIONS, unknownExtension } from '../../evals/report.js';
import { checkOutputFile, outputFilePath, writeOutputFile } from '../output-files.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { checkVerdict, concurrencyOf, evalProgress, printEvalProblems } from './outcome.js';
import { printComparison, printSummary, toSummaryJson } from './render.js';

const runSchema = (z: Zod) =>
  z.object({
    file: z.string(),
    project: z.optional(z.string()),
    concurrency: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(64))),
    repeat: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
    filter: z.optional(z.string()),
    cache: z.optional(z.boolean()),
    output: z.optional(z.array(z.string())),
    overwrite: z.optional(z.boolean()),
    baseline: z.optional(z.string()),
    maxRegressions: z.optional(z.coerce.number().check(z.int(), z.minimum(0))),
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
    .option(
      '-o, --output <file>',
      'also write the results to a file: .json, .jsonl, .csv, .md, .xml (JUnit) or .html; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--overwrite', 'replace output files that exist')
    .option(
      '--baseline <run>',
      'compare with a run (id), latest (the last run of this eval) or a .json file; exit 1 on a regression',
    )
    .option('--max-regressions <n>', 'regressions the baseline gate lets through (default 0)')
    .action(async (file: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(runSchema, { file, ...options }, cmd);
      let filter: RegExp | undefined;
      try {
        filter = input.filter === undefined ? undefined : new RegExp(input.filter);
      } catch (error) {
        throw new ValidationError(`Invalid --filter: ${(error as Error).message}`);
      }
      // Every output file is checked before any call is made.
      const outputs = (input.output ?? []).map((name) => {
        const path = outputFilePath(ctx.cwd, name);
        if (!path) throw new ValidationError('-o needs a file name: results go to stdout already');
        const extension = extname(path).toLowerCase();
        if (!(OUTPUT_EXTENSIONS as readonly string[]).includes(extension)) {
          throw unknownExtension(extension);
        }
        checkOutputFile(path, Boolean(input.overwrite));
        return { path, extension };
      });
      const services = await ctx.services();
      const prompts = await services.prompts();
      // Without a project, stored prompts are the global ones (an eval of .prompt files needs none).
      const scope = await prompts.scope(ctx.projectName(input.project) ?? null);
      const evals = await services.evals();
      const progress = evalProgress(ctx);
      try {
        const { run, summary } = await evals.run(scope, input.file, {
          concurrency: concurrencyOf(ctx, input.concurrency),
          repeat: input.repeat,
          filter,
          noCache: input.cache === false,
          signal: ctx.interruptSignal(),
          ...progress,
        });
        progress.stop();
        if (outputs.length > 0) {
          const document = await evals.document(run.id);
          for (const { path, extension } of outputs) {
            writeOutputFile(path, await formatRun(document, extension));
          }
        }
        const comparison = input.baseline
          ? compareRuns(
              await evals.baseline(input.baseline, run.name, run.id),
              await evals.document(run.id),
            )
          : null;
        const json = { ...toSummaryJson(run, summary), ...(comparison ? { comparison } : {}) };
        ctx.output.result(json, (data) => {
          printSummary(ctx.output, data);
          if (comparison) printComparison(ctx.output, comparison, true);
        });
        checkVerdict(run, summary);
        if (comparison && comparison.regressions > (input.maxRegressions ?? 0)) {
          throw regressed(comparison);
        }
      } catch (error) {
        progress.stop();
        if (error instanceof EvalFileError) printEvalProblems(ctx, error);
        throw error;
      }
    });
  return withExamples(command, [
    'eval run evals/summaries.yaml',
    'eval run evals/summaries.yaml --concurrency 8 --repeat 3',
    'eval run evals/summaries.yaml --filter "^long-" --no-cache --json',
    'eval run evals/summaries.yaml --baseline latest -o results.xml -o report.md',
  ]);
}

function regressed(comparison: Comparison): AppError {
  const cases = comparison.cases
    .filter((c) => c.change === 'regressed')
    .map((c) => `${c.caseId} (${c.variant})`);
  const shown = cases.length > 5 ? [...cases.slice(0, 5), `${cases.length - 5} more`] : cases;
  return new AppError(
    `${cases.length} case${cases.length === 1 ? '' : 's'} passed in ${comparison.before.id.slice(0, 8)} and fail now: ${shown.join(', ')}`,
    { code: 'EVAL_REGRESSED', hint: 'fix them, or allow some with --max-regressions N' },
  );
}
