import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printStats, toStatsJson } from './render.js';

const statsSchema = (z: Zod) =>
  z.object({
    by: z.enum(['model', 'day', 'prompt']),
    since: z.optional(z.string()),
  });

export function createExecutionStatsCommand(deps: CommandDeps): Command {
  const command = new Command('stats')
    .description('Calls, tokens, cost, mean latency and error rate, grouped')
    .option('--by <dimension>', 'group by model, day or prompt', 'model')
    .option('--since <when>', 'only calls since a duration ago (30d) or a date')
    .action(async (options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(statsSchema, options, cmd);
      const executions = await (await ctx.services()).executions();
      const since = input.since ? executions.since(input.since) : undefined;
      const rows = (await executions.stats(input.by, since)).map(toStatsJson);
      ctx.output.result(rows, (data) => printStats(ctx.output, input.by, data));
    });
  return withExamples(command, ['execution stats', 'execution stats --by day --since 30d --json']);
}
