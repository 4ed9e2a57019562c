import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printSearchHits, toSearchJson } from './render.js';

const searchSchema = (z: Zod) =>
  z.object({
    query: z.string(),
    limit: z.coerce.number().check(z.int(), z.positive()),
  });

export function createExecutionSearchCommand(deps: CommandDeps): Command {
  const command = new Command('search')
    .description('Full-text search over prompts and answers, best matches first')
    .argument('<query>', 'words; FTS5 syntax works too: "exact phrase", a OR b, pref*')
    .option('-n, --limit <n>', 'how many matches', '20')
    .action(async (query: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(searchSchema, { query, ...options }, cmd);
      const executions = await (await ctx.services()).executions();
      const hits = await executions.search(input.query, input.limit);
      ctx.output.list(
        hits.map(toSearchJson),
        (h) => h.id,
        () => printSearchHits(ctx.output, hits),
      );
    });
  return withExamples(command, [
    'execution search invoice',
    'execution search \'"rate limit" OR timeout\' -n 5',
  ]);
}
