// orchestrate plan / implement (analyze has a file of its own).
import { Command } from 'commander';
import { checkOutputFile, outputFilePath, writeOutputFile } from '../output-files.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { addProjectOption } from '../workflow/shared.js';
import { nextCommand, staleWarning, toSessionJson } from './render.js';
import { sessionProject } from './session-project.js';
import { withSpinner } from './spinner.js';

const planSchema = (z: Zod) =>
  z.object({
    feature: z.optional(z.string()),
    session: z.optional(z.string()),
    model: z.optional(z.string()),
    dryRun: z.optional(z.boolean()),
    force: z.optional(z.boolean()),
    project: z.optional(z.string()),
  });

export function createPlanCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('plan')
      .description('Start a session: a model writes the analysis and implementation templates')
      .argument('[feature]', 'the feature request')
      .option('--session <id>', 'plan again for a session whose plan failed')
      .option('-m, --model <model>', 'model for the whole session')
      .option('--force', 'plan again a session that is past planning')
      .option('--dry-run', 'print the planning prompt; call nothing'),
  ).action(async (feature: string | undefined, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(planSchema, { feature, ...options }, cmd);
    const orchestration = await (await ctx.services()).orchestration();
    const { project } = await sessionProject(ctx, orchestration, input.session, input.project);
    if (input.dryRun) {
      const prompt = await orchestration.planPrompt(project, input.feature ?? '');
      return ctx.output.result({ dryRun: true, prompt }, (d) => ctx.output.write(d.prompt));
    }
    const session = await withSpinner(
      ctx,
      'Planning…',
      () =>
        orchestration.plan(
          project,
          { featureRequest: input.feature, session: input.session },
          {
            flags: { model: input.model },
            signal: ctx.interruptSignal(),
            force: input.force,
          },
        ),
      (s, seconds) =>
        `Created session ${s.sessionId.slice(0, 8)} in ${seconds} (next: ${nextCommand(s)})`,
    );
    ctx.output.created(
      toSessionJson(session),
      (s) => s.sessionId,
      () => undefined,
    );
  });
  return withExamples(command, [
    'orchestrate plan "add password reset by email" -p shop',
    'orchestrate plan --session 3f2a9c1e',
    'orchestrate plan "add dark mode" --dry-run',
  ]);
}

const implementSchema = (z: Zod) =>
  z.object({
    session: z.string(),
    output: z.optional(z.string()),
    promptOnly: z.optional(z.boolean()),
    force: z.optional(z.boolean()),
    overwrite: z.optional(z.boolean()),
  });

export function createImplementCommand(deps: CommandDeps): Command {
  const command = new Command('implement')
    .description('Write the implementation plan from the analysis')
    .argument('<session>', 'session id (a unique prefix of 4+ characters)')
    .option('-o, --output <file>', 'also write the plan to a Markdown file')
    .option('--prompt-only', 'print the implementation prompt (for a coding agent); change nothing')
    .option('--force', 'write the plan again, replacing it')
    .option('--overwrite', 'replace an existing file or symlink at the output path')
    .action(async (session: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(implementSchema, { session, ...options }, cmd);
      // The plan costs a model call: a path it cannot be written to is refused first.
      const output = outputFilePath(ctx.cwd, input.output);
      if (output) checkOutputFile(output, Boolean(input.overwrite));
      const orchestration = await (await ctx.services()).orchestration();
      const onStale = (files: { path: string; change: string }[]) =>
        ctx.output.warn(staleWarning(input.session, files));
      if (input.promptOnly) {
        const { prompt } = await orchestration.implement(input.session, {
          promptOnly: true,
          onStale,
        });
        return ctx.output.result({ prompt }, (d) => ctx.output.write(d.prompt));
      }
      const { session: updated } = await withSpinner(
        ctx,
        'Planning the implementation…',
        () =>
          orchestration.implement(input.session, {
            force: input.force,
            signal: ctx.interruptSignal(),
            onStale,
          }),
        (r, seconds) => `Completed session ${r.session.sessionId.slice(0, 8)} in ${seconds}`,
      );
      if (output) writeOutputFile(output, `${updated.implementationResult ?? ''}\n`);
      ctx.output.result(toSessionJson(updated), (s) => {
        if (input.output) ctx.output.info(`Plan written to ${input.output}`);
        else ctx.output.text(s.implementationResult ?? '');
      });
    });
  return withExamples(command, [
    'orchestrate implement 3f2a9c1e -o PLAN.md',
    'orchestrate implement 3f2a --prompt-only | my-coding-agent',
  ]);
}
