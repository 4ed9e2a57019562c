import { Command } from 'commander';
import { type CommandDeps, formatDate, plural, withExamples } from '../shared.js';

export function createExecutionPruneCommand(deps: CommandDeps): Command {
  const command = new Command('prune')
    .description('Delete executions older than a duration')
    .requiredOption('--older-than <duration>', 'e.g. 30d, 12w, 6h')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (options: { olderThan: string; yes?: boolean }, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const executions = await (await ctx.services()).executions();
      const { before, count } = await executions.pruneCandidates(options.olderThan);
      const what = `${plural(count, 'execution')} older than ${options.olderThan} (before ${formatDate(before)})`;
      if (count > 0 && !(await ctx.confirm(`Delete ${what}?`, options.yes))) {
        ctx.output.info('Nothing deleted.');
        return;
      }
      const deleted = count > 0 ? await executions.prune(before) : 0;
      ctx.output.result({ deleted, before: before.toISOString() }, () =>
        ctx.output.success(`Deleted ${plural(deleted, 'execution')}`),
      );
    });
  return withExamples(command, ['execution prune --older-than 90d --yes']);
}
