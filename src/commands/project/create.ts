import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { toProjectJson } from './render.js';

const createSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    description: z.optional(z.string()),
    root: z.optional(z.string()),
    model: z.optional(z.string()),
  });

export function createProjectCreateCommand(deps: CommandDeps): Command {
  const command = new Command('create')
    .description('Create a project')
    .argument('<name>', "project name: letters, digits, '.', '_' and '-'")
    .option('-d, --description <text>', 'what the project is')
    .option('--root <dir>', 'the codebase the project is about (used by orchestrate analyze)')
    .option('-m, --model <model>', 'default model for the project')
    .action(async (name: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(createSchema, { name, ...options }, cmd);
      const { projects } = await ctx.services();
      const project = await projects.create(input.name, {
        description: input.description,
        rootPath: input.root,
        model: input.model,
      });
      ctx.output.created(
        toProjectJson(project, ctx.projectName()),
        (p) => p.name,
        (p) => {
          ctx.output.success(`Created project ${ctx.output.style.name(p.name)}`);
          if (!ctx.projectName()) {
            ctx.output.info(`Make it the current project: prompt-runner project use ${p.name}`);
          }
        },
      );
    });
  return withExamples(command, [
    'project create myapp --root . --description "Billing service"',
    'project create demo --model gpt-4o-mini --json',
  ]);
}
