import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { toProjectJson } from './render.js';

export function createProjectUseCommand(deps: CommandDeps): Command {
  const command = new Command('use')
    .description('Make a project the current one (used when -p is not given)')
    .argument('<name>', 'project name')
    .action(async (name: string, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const { projects } = await ctx.services();
      const project = await projects.get(name);
      await ctx.config.set('project', project.name);
      ctx.output.result(toProjectJson(project, project.name), (p) =>
        ctx.output.success(`Now using project ${ctx.output.style.name(p.name)}`),
      );
    });
  return withExamples(command, ['project use myapp']);
}
