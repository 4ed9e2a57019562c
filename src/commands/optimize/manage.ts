import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printOptimizations, printStory, toOptimizationJson } from './render.js';

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

const showSchema = (z: Zod) => z.object({ id: z.string() });

export function createOptimizeShowCommand(deps: CommandDeps): Command {
  const command = new Command('show')
    .description('An optimization round by round: candidates, scores, what was kept and why')
    .argument('<id>', 'optimization id (or a unique prefix of at least 4 characters)')
    .action(async (id: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(showSchema, { id, ...options }, cmd);
      const found = await (await (await ctx.services()).optimizations()).get(input.id);
      ctx.output.result(toOptimizationJson(found), (row) => printStory(ctx.output, row));
    });
  return withExamples(command, ['optimize show 3f2a', 'optimize show 3f2a --json']);
}
