// orchestrate context: what the analysis would send to the model for a feature, and why.
import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { addProjectOption, currentProject } from '../workflow/shared.js';
import {
  addContextOptions,
  contextFields,
  contextFlags,
  indexProgress,
  printContext,
  toContextJson,
} from './context-options.js';
import { withSpinner } from './spinner.js';

const contextSchema = (z: Zod) =>
  z.object({
    feature: z.string(),
    ...contextFields(z),
    model: z.optional(z.string()),
    text: z.optional(z.boolean()),
    project: z.optional(z.string()),
  });

export function createContextCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    addContextOptions(
      new Command('context')
        .description(
          'Show the files and excerpts the analysis would send for a feature, and why; calls no model, stores nothing',
        )
        .argument('<feature>', 'the feature request'),
    )
      .option('-m, --model <model>', 'the model the context is for (its window caps the budget)')
      .option('--text', 'print the context exactly as the model would receive it'),
  ).action(async (feature: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(contextSchema, { feature, ...options }, cmd);
    const project = await currentProject(ctx, input.project);
    const orchestration = await (await ctx.services()).orchestration();
    const context = await withSpinner(
      ctx,
      'Ranking the codebase…',
      (update) =>
        orchestration.context(project, input.feature, {
          ...contextFlags(input),
          model: input.model,
          onProgress: indexProgress(update),
        }),
      null,
    );
    ctx.output.result(
      {
        featureRequest: input.feature,
        ...toContextJson(context),
        codebaseContext: context.codebaseContext,
      },
      () =>
        input.text ? ctx.output.text(context.codebaseContext) : printContext(ctx.output, context),
    );
  });
  return withExamples(command, [
    'orchestrate context "add password reset by email" -p shop',
    'orchestrate context "rate-limit the login route" --exclude \'vendor/**\' --max-context-tokens 12000',
    'orchestrate context "add dark mode" --text | less',
  ]);
}
