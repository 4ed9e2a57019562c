import { Command } from 'commander';
import { type CommandDeps, plural, withExamples } from '../shared.js';

export function createCacheClearCommand(deps: CommandDeps): Command {
  const command = new Command('clear')
    .description('Remove cached answers (all, or those older than a duration)')
    .option('--older-than <duration>', 'only entries older than this, e.g. 7d')
    .action(async (options: { olderThan?: string }, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const executions = await (await ctx.services()).executions();
      const removed = await executions.clearCache(options.olderThan);
      ctx.output.result({ removed }, () =>
        ctx.output.success(`Removed ${plural(removed, 'cached answer')}`),
      );
    });
  return withExamples(command, ['cache clear', 'cache clear --older-than 30d']);
}
