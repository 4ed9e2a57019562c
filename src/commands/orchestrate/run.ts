// orchestrate run: plan → locate → analyze → implement in one command, printing (or writing)
// the plan; `--session <id>` carries on a session from the phase where it stopped.
import { Command } from 'commander';
import { AppError, ValidationError } from '../../core/errors.js';
import type { SessionRecord } from '../../db/repositories/orchestration-repository.js';
import { checkOutputFile, outputFilePath, writeOutputFile } from '../output-files.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { addProjectOption } from '../workflow/shared.js';
import {
  addContextOptions,
  contextFields,
  contextFlags,
  indexProgress,
} from './context-options.js';
import { staleWarning, toSessionJson } from './render.js';
import { sessionProject } from './session-project.js';
import { withSpinner } from './spinner.js';

const runSchema = (z: Zod) =>
  z.object({
    feature: z.optional(z.string()),
    session: z.optional(z.string()),
    model: z.optional(z.string()),
    output: z.optional(z.string()),
    overwrite: z.optional(z.boolean()),
    locate: z.optional(z.boolean()),
    project: z.optional(z.string()),
    ...contextFields(z),
  });

const LABELS = {
  plan: 'Planning…',
  analyze: 'Analysing the codebase…',
  implement: 'Planning the implementation…',
} as const;

export function createRunCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    addContextOptions(
      new Command('run')
        .description(
          'Plan a feature in one go: plan, locate, analyze and implement, then print the plan',
        )
        .argument('[feature]', 'the feature request')
        .option('--session <id>', 'carry on a session from the phase where it stopped')
        .option('-m, --model <model>', 'model for the whole session')
        .option('-o, --output <file>', 'write the plan to a Markdown file instead of printing it')
        .option('--overwrite', 'replace an existing file or symlink at the output path')
        .option('--no-locate', 'skip the locate step'),
    ),
  ).action(async (feature: string | undefined, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(runSchema, { feature, ...options }, cmd);
    if (input.session && input.feature)
      throw new ValidationError('Give a feature or --session, not both', {
        hint: 'a session carries on with its own feature request',
      });
    if (!input.session && !input.feature?.trim())
      throw new ValidationError('Describe the feature to plan');
    // The plan costs several model calls: a path it cannot be written to is refused first.
    const output = outputFilePath(ctx.cwd, input.output);
    if (output) checkOutputFile(output, Boolean(input.overwrite));
    const orchestration = await (await ctx.services()).orchestration();
    const { existing, project } = await sessionProject(
      ctx,
      orchestration,
      input.session,
      input.project,
    );
    const { runOrchestration } = await import('../../services/orchestration-run.js');
    let current: SessionRecord | undefined = existing;
    try {
      const { session } = await withSpinner(
        ctx,
        LABELS.plan,
        (update) =>
          runOrchestration(
            orchestration,
            project,
            { featureRequest: input.feature, session: input.session },
            {
              ...contextFlags(input),
              flags: { model: input.model },
              signal: ctx.interruptSignal(),
              locate: input.locate,
              onSession: (s) => {
                current = s;
              },
              onPhase: (phase) => update(LABELS[phase]),
              onProgress: indexProgress(update),
              onWarning: (message) => ctx.output.warn(message),
              onStale: (files) => ctx.output.warn(staleWarning(input.session ?? '', files)),
            },
          ),
        ({ session: s, phases: done }, seconds) =>
          done.length === 0
            ? `Session ${s.sessionId.slice(0, 8)} was already completed`
            : `Completed session ${s.sessionId.slice(0, 8)} in ${seconds} (${done.join(' → ')})`,
      );
      if (output) writeOutputFile(output, `${session.implementationResult ?? ''}\n`);
      ctx.output.result(toSessionJson(session), (s) => {
        if (input.output) ctx.output.info(`Plan written to ${input.output}`);
        else ctx.output.text(s.implementationResult ?? '');
      });
    } catch (error) {
      const stopped = current as SessionRecord | undefined;
      // The phase's own error, with the command that carries the session on from there.
      if (stopped && error instanceof AppError) {
        const id = stopped.sessionId.slice(0, 8);
        throw new AppError(error.message, {
          code: error.code,
          exitCode: error.exitCode,
          hint: `session ${id} stopped there; \`prompt-runner orchestrate run --session ${id}\` carries on`,
          cause: error,
        });
      }
      throw error;
    }
  });
  return withExamples(command, [
    'orchestrate run "add password reset by email" -p shop -o PLAN.md',
    'orchestrate run "add dark mode" --json | jq -r .implementationResult',
    'orchestrate run --session 3f2a9c1e',
  ]);
}
