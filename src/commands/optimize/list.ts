import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printOptimizations, toOptimizationJson } from './render.js';

const listSchema = (z: Zod) =>
  z.object({
    prompt: z.optional(z.string()),
    project: z.optional(z.string()),
    limit: z.optional(z.coerce.number().check(z.int(), z.positive())),
  });

export function createOptimizeListCommand(deps: CommandDeps): Command {
  const command = new Command('list')
    .description('Optimizations, newest first: the versions, held-out scores and spending')
    .option('--prompt <name>', 'only the optimizations of this prompt')
    .option('-p, --project <name>', 'only the optimizations of this project')
    .option('-n, --limit <n>', 'how many (default 20)')
    .action(async (options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(listSchema, options, cmd);
      const services = await ctx.services();
      const project = input.project
        ? (await (await services.prompts()).scope(input.project)).project
        : null;
      const rows = await (await services.optimizations()).list({
        prompt: input.prompt,
        projectId: project?.id,
        limit: input.limit ?? 20,
      });
      ctx.output.list(
        rows.map(toOptimizationJson),
        (row) => row.id,
        (shown) => printOptimizations(ctx.output, shown),
      );
    });
  return withExamples(command, ['optimize list', 'optimize list --prompt summarize --json']);
}
