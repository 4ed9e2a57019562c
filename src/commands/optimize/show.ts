import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printStory, toOptimizationJson } from './render.js';

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
