import { Command, Option } from 'commander';
import { EvalFileError } from '../../evals/eval-file.js';
import { validateLabel } from '../../services/prompt-ref.js';
import { concurrencyOf, printEvalProblems } from '../eval/outcome.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printEstimate, printStory, toOptimizationJson } from './render.js';

const runSchema = (z: Zod) =>
  z.object({
    prompt: z.string(),
    eval: z.string(),
    project: z.optional(z.string()),
    global: z.optional(z.boolean()),
    rounds: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(20))),
    candidates: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10))),
    optimizerModel: z.optional(z.string()),
    split: z.optional(z.coerce.number().check(z.gt(0), z.lt(1))),
    seed: z.optional(z.coerce.number().check(z.int(), z.minimum(0))),
    minGain: z.optional(z.coerce.number().check(z.minimum(0), z.maximum(1))),
    alpha: z.optional(z.coerce.number().check(z.gt(0), z.maximum(1))),
    maxCalls: z.optional(z.coerce.number().check(z.int(), z.minimum(1))),
    maxCost: z.optional(z.coerce.number().check(z.gt(0))),
    label: z.optional(z.string()),
    dryRun: z.optional(z.boolean()),
    concurrency: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(64))),
    cache: z.optional(z.boolean()),
  });

export function createOptimizeRunCommand(deps: CommandDeps): Command {
  const command = new Command('run')
    .description(
      'Rewrite a prompt from the eval cases it fails; save the rewrite as a new version only if it wins on held-out cases',
    )
    .argument('<prompt>', 'the prompt to optimize: name, name@version or name@label')
    .requiredOption('--eval <file>', 'the eval file whose cases, assertions and models measure it')
    .option('-p, --project <name>', 'project of the prompt (default: the current one)')
    .addOption(
      new Option('--global', 'a global prompt, shared by every project').conflicts('project'),
    )
    .option('--rounds <n>', 'rounds of rewriting (default 3)')
    .option('--candidates <k>', 'rewrites asked for each round (default 3)')
    .option('--optimizer-model <model>', 'the model that rewrites (default: the default model)')
    .option(
      '--split <fraction>',
      'share of the cases to train on; the rest is held out (default 0.7)',
    )
    .option('--seed <n>', 'seed of the split (default 1)')
    .option('--min-gain <fraction>', 'held-out pass rate gain needed to save (default 0.05)')
    .option('--alpha <p>', 'the sign test must give p at most this to save (default 0.1)')
    .option('--max-calls <n>', 'stop before making more model calls than this')
    .option('--max-cost <usd>', 'stop before a call that could take the cost past this')
    .option('--label <label>', 'point this label at the saved version')
    .option('--dry-run', 'print the calls and the cost it may take, and stop')
    .option('--concurrency <n>', 'calls at once (default: the concurrency setting)')
    .option('--no-cache', 'call the models even when an identical call was answered before')
    .action(async (prompt: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(runSchema, { prompt, ...options }, cmd);
      if (input.label !== undefined) validateLabel(input.label);
      const services = await ctx.services();
      const project = input.global ? null : (ctx.projectName(input.project) ?? null);
      const scope = await (await services.prompts()).scope(project);
      const optimizer = await services.optimizations();
      const settings = {
        evalFile: input.eval,
        rounds: input.rounds ?? 3,
        candidates: input.candidates ?? 3,
        optimizerModel: input.optimizerModel,
        split: input.split ?? 0.7,
        seed: input.seed ?? 1,
        minGain: input.minGain ?? 0.05,
        alpha: input.alpha ?? 0.1,
        maxCalls: input.maxCalls,
        maxCostUsd: input.maxCost,
        label: input.label,
        concurrency: concurrencyOf(ctx, input.concurrency),
        noCache: input.cache === false,
      };
      const plan = await optimizer.plan(scope, input.prompt, settings).catch((error: unknown) => {
        if (error instanceof EvalFileError) printEvalProblems(ctx, error);
        throw error;
      });
      if (input.dryRun) {
        const shown = {
          dryRun: true,
          prompt: plan.start.prompt.name,
          version: plan.start.version.version,
          train: plan.train.length,
          heldOut: plan.heldOut.length,
          estimate: plan.estimate,
        };
        ctx.output.result(shown, (data) => printEstimate(ctx.output, data));
        return;
      }
      const spinner = await ctx.output.spinner('starting');
      let stage = '';
      const result = await optimizer
        .run(plan, {
          ...settings,
          signal: ctx.interruptSignal(),
          onStage: (text) => {
            stage = text;
            spinner.update(text);
          },
          onCell: ({ done, passed }) => spinner.update(`${stage}: ${done} done, ${passed} passed`),
        })
        .finally(() => spinner.stop());
      const json = toOptimizationJson(result.optimization);
      ctx.output.result(json, (data) => printStory(ctx.output, data));
      if (result.error) throw result.error;
    });
  return withExamples(command, [
    'optimize run summarize --eval evals/summaries.yaml --dry-run',
    'optimize run summarize@production --eval evals/summaries.yaml --max-cost 0.50 --label candidate',
    'optimize run summarize --eval evals/summaries.yaml --rounds 5 --optimizer-model gpt-4o --json',
  ]);
}
