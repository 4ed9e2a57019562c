// workflow list / show / delete / runs / status.
import { Command } from 'commander';
import {
  type CommandDeps,
  formatDate,
  parseInput,
  plural,
  withExamples,
  type Zod,
} from '../shared.js';
import { printRunStatus, toRunJson, toWorkflowJson } from './render.js';
import { addProjectOption, currentProject } from './shared.js';

export function createWorkflowListCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('list').alias('ls').description('List the workflows of a project'),
  ).action(async (options: { project?: string }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const project = await currentProject(ctx, options.project);
    const workflows = await (await ctx.services()).workflows();
    const rows = (await workflows.list(project)).map((w) => toWorkflowJson(w));
    ctx.output.list(
      rows,
      (w) => w.name,
      (data) => {
        if (data.length === 0)
          return ctx.output.info(
            'No workflows yet: prompt-runner workflow create <name> --file wf.yaml',
          );
        ctx.output.table(
          ['Name', 'Version', 'Runs', 'Description', 'Updated'],
          data.map((w) => [w.name, w.version, w.runs, w.description, formatDate(w.updatedAt)]),
        );
      },
    );
  });
  return withExamples(command, ['workflow list', 'workflow list -p myapp --json']);
}

export function createWorkflowShowCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('show')
      .description('Show a workflow and its definition')
      .argument('<name>', 'workflow name'),
  ).action(async (name: string, options: { project?: string }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const project = await currentProject(ctx, options.project);
    const workflows = await (await ctx.services()).workflows();
    const workflow = toWorkflowJson(await workflows.get(project, name), true);
    ctx.output.result(workflow, (w) => {
      ctx.output.fields([
        ['Name', w.name],
        ['Description', w.description],
        ['Version', w.version],
        ['Runs', w.runs],
        ['Updated', formatDate(w.updatedAt)],
      ]);
      ctx.output.info('');
      ctx.output.text(w.definition ?? '');
    });
  });
  return withExamples(command, ['workflow show article']);
}

export function createWorkflowDeleteCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('delete')
      .alias('rm')
      .description('Delete a workflow with its runs')
      .argument('<name>', 'workflow name')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (name: string, options: { project?: string; yes?: boolean }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const project = await currentProject(ctx, options.project);
    const workflows = await (await ctx.services()).workflows();
    const workflow = await workflows.get(project, name);
    const runs = plural(workflow.runCount, 'run');
    if (!(await ctx.confirm(`Delete workflow ${workflow.name} and its ${runs}?`, options.yes))) {
      return ctx.output.info('Nothing deleted.');
    }
    await workflows.delete(project, name);
    ctx.output.result(toWorkflowJson(workflow), () =>
      ctx.output.success(`Deleted workflow ${workflow.name} (${runs})`),
    );
  });
  return withExamples(command, ['workflow delete draft --yes']);
}

const runsSchema = (z: Zod) =>
  z.object({
    workflow: z.optional(z.string()),
    limit: z.coerce.number().check(z.int(), z.positive()),
    project: z.optional(z.string()),
  });

export function createWorkflowRunsCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('runs')
      .description('List recent workflow runs, newest first')
      .option('--workflow <name>', 'only runs of this workflow')
      .option('-n, --limit <n>', 'how many', '20'),
  ).action(async (options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(runsSchema, options, cmd);
    const project = await currentProject(ctx, input.project);
    const workflows = await (await ctx.services()).workflows();
    const runs = await workflows.listRuns({
      projectId: project.id,
      workflowName: input.workflow,
      limit: input.limit,
    });
    const rows = runs.map((run) => toRunJson(run, workflows.status(run)));
    ctx.output.list(
      rows,
      (r) => r.runId,
      (data) => {
        if (data.length === 0 && input.workflow)
          return ctx.output.info(`No runs of a workflow named "${input.workflow}"`);
        if (data.length === 0)
          return ctx.output.info('No runs yet: prompt-runner workflow run <name>');
        ctx.output.table(
          ['Run', 'Workflow', 'Status', 'Steps', 'Started'],
          data.map((r) => [
            r.runId.slice(0, 8),
            r.workflow,
            r.status,
            `${r.steps.filter((s) => s.status === 'succeeded').length}/${r.steps.length}`,
            formatDate(r.startedAt),
          ]),
        );
      },
    );
  });
  return withExamples(command, ['workflow runs', 'workflow runs --workflow article --json']);
}

export function createWorkflowStatusCommand(deps: CommandDeps): Command {
  const command = new Command('status')
    .description("Show a run: each step's state, output preview, tokens, cost and time")
    .argument('<runId>', 'run id, or a unique prefix of at least 4 characters')
    .action(async (runId: string, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const workflows = await (await ctx.services()).workflows();
      const run = await workflows.findRun(runId);
      ctx.output.result(toRunJson(run, workflows.status(run)), (r) =>
        printRunStatus(ctx.output, r),
      );
    });
  return withExamples(command, ['workflow status 3f2a9c1e --json']);
}
