import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { toProjectJson } from './render.js';

const updateSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    description: z.optional(z.string()),
    root: z.optional(z.string()),
    model: z.optional(z.string()),
    rename: z.optional(z.string()),
  });

export function createProjectUpdateCommand(deps: CommandDeps): Command {
  const command = new Command('update')
    .description('Change a project\'s description, root, default model or name ("" clears a field)')
    .argument('<name>', 'project name')
    .option('-d, --description <text>', 'new description')
    .option('--root <dir>', 'new codebase root')
    .option('-m, --model <model>', 'new default model')
    .option('--rename <newName>', 'new project name')
    .action(async (name: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(updateSchema, { name, ...options }, cmd);
      const { projects } = await ctx.services();
      const project = await projects.update(input.name, {
        description: input.description,
        rootPath: input.root,
        model: input.model,
        newName: input.rename,
      });
      if (input.rename && ctx.config.get('project') === input.name) {
        await ctx.config.set('project', project.name);
      }
      ctx.output.result(toProjectJson(project, ctx.projectName()), (p) =>
        ctx.output.success(`Updated project ${ctx.output.style.name(p.name)}`),
      );
    });
  return withExamples(command, [
    'project update myapp --description "Billing and invoices"',
    'project update myapp --root ~/code/myapp --model llama3.1',
    'project update myapp --rename billing',
  ]);
}
