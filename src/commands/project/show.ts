import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { printProjectDetails, toProjectJson } from './render.js';

export function createProjectShowCommand(deps: CommandDeps): Command {
  const command = new Command('show')
    .description('Show a project (the current one when no name is given)')
    .argument('[name]', 'project name')
    .action(async (name: string | undefined, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const { projects } = await ctx.services();
      const project = await projects.get(name ?? ctx.requireProjectName());
      ctx.output.result(toProjectJson(project, ctx.projectName()), (p) =>
        printProjectDetails(ctx.output, p),
      );
    });
  return withExamples(command, ['project show myapp', 'project show --json']);
}
