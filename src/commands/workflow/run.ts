// workflow run / resume: drive a run with live progress; Ctrl-C cancels it cleanly.
import { Command } from 'commander';
import { CONFIG_DEFAULTS } from '../../core/config.js';
import { AppError, ModelError, NotFoundError } from '../../core/errors.js';
import { EXIT_CANCELLED } from '../../core/model-client/errors.js';
import type { RunSummary } from '../../services/workflow-service.js';
import { WorkflowInvalidError } from '../../workflows/errors.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { startRunProgress } from './progress.js';
import { printRunSummary } from './render.js';
import {
  addInputOptions,
  addProjectOption,
  currentProject,
  invalid,
  looksLikeFile,
  looksLikePath,
  ownerProject,
  printProblems,
  readDefinition,
  readInputs,
} from './shared.js';

const concurrencySchema = (z: Zod) =>
  z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(64)));

const runSchema = (z: Zod) =>
  z.object({
    target: z.string(),
    input: z.optional(z.array(z.string())),
    inputsFile: z.optional(z.string()),
    concurrency: concurrencySchema(z),
    model: z.optional(z.string()),
    cache: z.optional(z.boolean()),
    dryRun: z.optional(z.boolean()),
    project: z.optional(z.string()),
  });

const resumeSchema = (z: Zod) =>
  z.object({
    runId: z.string(),
    concurrency: concurrencySchema(z),
    cache: z.optional(z.boolean()),
    force: z.optional(z.boolean()),
    project: z.optional(z.string()),
  });

/** The summary, printed; a run that did not succeed fails the command. */
function finish(ctx: Awaited<ReturnType<CommandDeps['context']>>, summary: RunSummary): void {
  const { steps, ...rest } = summary;
  ctx.output.result({ ...rest, steps }, () => printRunSummary(ctx.output, summary));
  if (summary.status === 'cancelled') throw new AppError('Cancelled', { exitCode: EXIT_CANCELLED });
  if (summary.status === 'failed') {
    throw new ModelError(
      `Run ${summary.runId.slice(0, 8)} failed: ${summary.error ?? 'a step failed'}`,
      {
        hint: `see \`prompt-runner workflow status ${summary.runId.slice(0, 8)}\`; resume with \`prompt-runner workflow resume ${summary.runId.slice(0, 8)}\``,
      },
    );
  }
}

export function createWorkflowRunCommand(deps: CommandDeps): Command {
  const command = addInputOptions(
    addProjectOption(
      new Command('run')
        .description('Run a stored workflow, or a workflow file, step by step')
        .argument('<name|file>', 'a stored workflow, or the path of a YAML file')
        .option('--concurrency <n>', 'steps at once (default 4)')
        .option('-m, --model <model>', 'model for every step')
        .option('--no-cache', 'call the model even when a cached answer exists')
        .option('--dry-run', 'render every step that can be rendered; call nothing'),
    ),
  ).action(async (target: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(runSchema, { target, ...options }, cmd);
    const project = await currentProject(ctx, input.project);
    const given = await readInputs(ctx, input);
    const workflows = await (await ctx.services()).workflows();
    const isFile = looksLikeFile(ctx, input.target);
    const stored = isFile
      ? null
      : await workflows.get(project, input.target).catch((error: unknown) => {
          // A path that is not there is more likely a typo than a stored workflow's name.
          if (!(error instanceof NotFoundError && looksLikePath(input.target))) throw error;
          throw new NotFoundError(
            `No file ${input.target}, and no stored workflow of that name in project "${project.name}"`,
          );
        });
    const text = stored ? stored.definition : readDefinition(ctx, input.target);
    const source = stored ? { stored } : { text };
    try {
      if (input.dryRun) {
        const steps = await workflows.dryRun(project, text, given);
        ctx.output.result({ dryRun: true, steps }, (d) => {
          for (const step of d.steps) {
            ctx.output.info(ctx.output.style.heading(`── ${step.id} ──`));
            if (step.messages)
              for (const m of step.messages) ctx.output.text(`[${m.role}] ${m.content}`);
            else if (step.needs.length > 0)
              ctx.output.info(
                ctx.output.style.dim(`(needs the output of ${step.needs.join(', ')})`),
              );
            else
              ctx.output.info(
                ctx.output.style.dim(`(stored prompt ${'prompt' in step ? step.prompt : ''})`),
              );
          }
        });
        return;
      }
      const progress = await startRunProgress(ctx);
      try {
        const summary = await workflows.run(project, source, given, {
          concurrency:
            input.concurrency ?? ctx.config.get('concurrency') ?? CONFIG_DEFAULTS.concurrency,
          flags: { model: input.model, noCache: input.cache === false },
          signal: ctx.interruptSignal(),
          onStart: (stepIds) => progress.start(stepIds),
          onEvent: (event) => progress.onEvent(event),
        });
        progress.stop();
        finish(ctx, summary);
      } finally {
        progress.stop();
      }
    } catch (error) {
      if (!(error instanceof WorkflowInvalidError)) throw error;
      printProblems(ctx, isFile ? input.target : `workflow ${input.target}`, error.problems);
      throw invalid(error.problems.length);
    }
  });
  return withExamples(command, [
    'workflow run article --input topic="vector databases"',
    'workflow run workflows/article.yaml --inputs-file inputs.yaml --concurrency 2',
    'workflow run article --input topic=x --dry-run',
  ]);
}

export function createWorkflowResumeCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('resume')
      .description('Finish a run: only the steps that did not succeed run again')
      .argument('<runId>', 'run id, or a unique prefix of at least 4 characters')
      .option('--concurrency <n>', 'steps at once (default 4)')
      .option('--no-cache', 'call the model even when a cached answer exists')
      .option('--force', 'resume even if the workflow changed since the run started'),
  ).action(async (runId: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(resumeSchema, { runId, ...options }, cmd);
    const workflows = await (await ctx.services()).workflows();
    const run = await workflows.findRun(input.runId);
    const project = await ownerProject(
      ctx,
      { id: run.projectId },
      input.project,
      `Run ${run.id.slice(0, 8)}`,
    );
    const progress = await startRunProgress(ctx);
    progress.start(run.steps.map((s) => s.stepId));
    let summary: RunSummary & { resumed: boolean };
    try {
      summary = await workflows.resume(run.id, {
        project,
        force: input.force,
        concurrency:
          input.concurrency ?? ctx.config.get('concurrency') ?? CONFIG_DEFAULTS.concurrency,
        flags: { noCache: input.cache === false },
        signal: ctx.interruptSignal(),
        onEvent: (event) => progress.onEvent(event),
      });
    } finally {
      progress.stop();
    }
    const { resumed, ...rest } = summary;
    if (!resumed) {
      return ctx.output.result(rest, () =>
        ctx.output.info(`Run ${run.id.slice(0, 8)} already succeeded: nothing to do`),
      );
    }
    finish(ctx, rest);
  });
  return withExamples(command, ['workflow resume 3f2a9c1e', 'workflow resume 3f2a --force']);
}
