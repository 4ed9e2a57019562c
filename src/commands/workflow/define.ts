// workflow create / update / validate: a definition file checked, then stored or reported.
import { Command } from 'commander';
import { WorkflowInvalidError } from '../../workflows/errors.js';
import { type CommandDeps, withExamples } from '../shared.js';
import { toWorkflowJson } from './render.js';
import {
  addProjectOption,
  currentProject,
  invalid,
  printProblems,
  readDefinition,
} from './shared.js';

type Options = { file: string; project?: string };

function storeCommand(deps: CommandDeps, verb: 'create' | 'update'): Command {
  const command = addProjectOption(
    new Command(verb)
      .description(
        verb === 'create'
          ? 'Store a workflow from a YAML file'
          : 'Replace a workflow with a new version of its file',
      )
      .argument('<name>', 'workflow name')
      .requiredOption('-f, --file <path>', 'the YAML definition'),
  ).action(async (name: string, options: Options, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const text = readDefinition(ctx, options.file);
    const project = await currentProject(ctx, options.project);
    const workflows = await (await ctx.services()).workflows();
    try {
      const workflow =
        verb === 'create'
          ? await workflows.create(project, name, text)
          : await workflows.update(project, name, text);
      ctx.output.created(
        toWorkflowJson(workflow),
        (w) => w.name,
        (w) =>
          ctx.output.success(
            `${verb === 'create' ? 'Created' : 'Updated'} workflow ${w.name} (version ${w.version})`,
          ),
      );
    } catch (error) {
      if (!(error instanceof WorkflowInvalidError)) throw error;
      printProblems(ctx, options.file, error.problems);
      throw invalid(error.problems.length);
    }
  });
  return withExamples(command, [`workflow ${verb} article --file workflows/article.yaml`]);
}

export const createWorkflowCreateCommand = (deps: CommandDeps) => storeCommand(deps, 'create');
export const createWorkflowUpdateCommand = (deps: CommandDeps) => storeCommand(deps, 'update');

export function createWorkflowValidateCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('validate')
      .description('Check a workflow file and report every problem with its line')
      .argument('<file>', 'the YAML definition'),
  ).action(async (file: string, options: { project?: string }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const text = readDefinition(ctx, file);
    const services = await ctx.services();
    const workflows = await services.workflows();
    const prompts = await services.prompts();
    const name = ctx.projectName(options.project);
    const scope = name ? await prompts.scope(name) : { project: null };
    const result = await workflows.validate(text, scope);
    const data = {
      valid: result.problems.length === 0,
      problems: result.problems,
      steps: result.workflow?.order ?? [],
    };
    ctx.output.result(data, (d) => {
      if (d.valid)
        ctx.output.success(`${file} is valid: ${d.steps.length} steps (${d.steps.join(' → ')})`);
      else printProblems(ctx, file, d.problems);
    });
    if (!data.valid) throw invalid(data.problems.length);
  });
  return withExamples(command, ['workflow validate workflows/article.yaml']);
}
