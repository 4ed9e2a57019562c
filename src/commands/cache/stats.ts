import { Command } from 'commander';
import { type CommandDeps, formatDate, withExamples } from '../shared.js';

export function createCacheStatsCommand(deps: CommandDeps): Command {
  const command = new Command('stats')
    .description('How many answers are cached, how often they were reused, and their size')
    .action(async (_options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const executions = await (await ctx.services()).executions();
      const stats = await executions.cacheStats();
      const data = {
        ...stats,
        oldest: stats.oldest?.toISOString() ?? null,
        newest: stats.newest?.toISOString() ?? null,
      };
      ctx.output.result(data, (d) =>
        ctx.output.fields([
          ['Entries', d.entries],
          ['Hits', d.hits],
          ['Size', `${(d.bytes / 1024).toFixed(1)} KiB`],
          ['Oldest', formatDate(d.oldest)],
          ['Newest', formatDate(d.newest)],
        ]),
      );
    });
  return withExamples(command, ['cache stats', 'cache stats --json']);
}
