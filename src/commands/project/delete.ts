import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { describeContents, toProjectJson } from './render.js';

export function createProjectDeleteCommand(deps: CommandDeps): Command {
  const command = new Command('delete')
    .alias('rm')
    .description('Delete a project with its prompts, workflows and sessions')
    .argument('<name>', 'project name')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (name: string, options: { yes?: boolean }, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const { projects } = await ctx.services();
      const project = await projects.get(name);
      const contents = describeContents(project.counts);
      const confirmed = await ctx.confirm(
        `Delete project ${project.name} and its ${contents}?`,
        options.yes,
      );
      if (!confirmed) {
        ctx.output.info('Nothing deleted.');
        return;
      }
      await projects.delete(project.name);
      if (ctx.config.get('project') === project.name) await ctx.config.unset('project');
      ctx.output.result(toProjectJson(project), () =>
        ctx.output.success(`Deleted project ${project.name} (${contents})`),
      );
    });
  return withExamples(command, ['project delete old-demo', 'project delete old-demo --yes']);
}
