import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { printProjectTable, toProjectJson } from './render.js';

export function createProjectListCommand(deps: CommandDeps): Command {
  const command = new Command('list')
    .alias('ls')
    .description('List projects with their prompt, workflow and session counts')
    .action(async (_options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const { projects } = await ctx.services();
      const current = ctx.projectName();
      const rows = (await projects.list()).map((p) => toProjectJson(p, current));
      ctx.output.list(
        rows,
        (p) => p.name,
        (data) => printProjectTable(ctx.output, data),
      );
    });
  return withExamples(command, ['project list', 'project list --json']);
}
