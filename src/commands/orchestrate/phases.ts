// orchestrate plan / analyze / implement.
import { Command } from 'commander';
import type { AppContext } from '../../core/context.js';
import { checkOutputFile, outputFilePath, writeOutputFile } from '../output-files.js';
import { collect } from '../prompt/inputs.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { addProjectOption, currentProject, ownerProject } from '../workflow/shared.js';
import { nextCommand, toSessionJson } from './render.js';

/** A spinner that says which phase runs and for how long. */
async function phaseSpinner(ctx: AppContext, label: string) {
  const started = Date.now();
  const spinner = await ctx.output.spinner(label);
  const timer = setInterval(
    () => spinner.update(`${label} ${Math.round((Date.now() - started) / 1000)}s`),
    1000,
  );
  return {
    done(message: (seconds: string) => string) {
      clearInterval(timer);
      spinner.stop();
      ctx.output.success(message(`${((Date.now() - started) / 1000).toFixed(1)}s`));
    },
    fail() {
      clearInterval(timer);
      spinner.stop();
    },
  };
}

async function withSpinner<T>(
  ctx: AppContext,
  label: string,
  work: () => Promise<T>,
  message: (result: T, seconds: string) => string,
) {
  const spinner = await phaseSpinner(ctx, label);
  try {
    const result = await work();
    spinner.done((seconds) => message(result, seconds));
    return result;
  } catch (error) {
    spinner.fail();
    throw error;
  }
}

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
    // Planning a session again happens in the session's own project.
    const existing = input.session ? await orchestration.find(input.session) : undefined;
    const project = existing
      ? await ownerProject(
          ctx,
          { name: existing.projectName },
          input.project,
          `Session ${existing.sessionId.slice(0, 8)}`,
        )
      : await currentProject(ctx, input.project);
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

const analyzeSchema = (z: Zod) =>
  z.object({
    session: z.string(),
    context: z.optional(z.array(z.string())),
    root: z.optional(z.string()),
    maxContextChars: z.optional(z.coerce.number().check(z.int(), z.positive())),
    force: z.optional(z.boolean()),
  });

export function createAnalyzeCommand(deps: CommandDeps): Command {
  const command = new Command('analyze')
    .description("Analyse the codebase for the session's feature with its analysis template")
    .argument('<session>', 'session id (a unique prefix of 4+ characters)')
    .option('--context <glob>', 'also include files matching this glob (repeatable)', collect)
    .option('--root <dir>', "the codebase (default: the project's root)")
    .option('--max-context-chars <n>', 'budget for file contents (default 60000)')
    .option('--force', 'analyse again, replacing the analysis')
    .action(async (session: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(analyzeSchema, { session, ...options }, cmd);
      const orchestration = await (await ctx.services()).orchestration();
      const updated = await withSpinner(
        ctx,
        'Analysing…',
        () =>
          orchestration.analyze(input.session, {
            root: input.root,
            globs: input.context,
            maxChars: input.maxContextChars,
            force: input.force,
            signal: ctx.interruptSignal(),
          }),
        (s, seconds) =>
          `Analysed session ${s.sessionId.slice(0, 8)} in ${seconds}: complexity ${s.complexity ?? '?'}, estimate ${s.timeEstimate ?? '?'} (next: ${nextCommand(s)})`,
      );
      ctx.output.result(toSessionJson(updated), () => undefined);
    });
  return withExamples(command, [
    'orchestrate analyze 3f2a9c1e',
    "orchestrate analyze 3f2a --context 'src/auth/**' --context 'tests/auth/**'",
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
      if (input.promptOnly) {
        const { prompt } = await orchestration.implement(input.session, { promptOnly: true });
        return ctx.output.result({ prompt }, (d) => ctx.output.write(d.prompt));
      }
      const { session: updated } = await withSpinner(
        ctx,
        'Planning the implementation…',
        () =>
          orchestration.implement(input.session, {
            force: input.force,
            signal: ctx.interruptSignal(),
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
