import { Command } from 'commander';
import { type CommandDeps, plural, withExamples } from '../shared.js';

export function createDbMigrateCommand(deps: CommandDeps): Command {
  const command = new Command('migrate')
    .description('Apply pending migrations (they also apply by themselves on first use)')
    .action(async (_options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const { migrateStore } = await import('../../db/client.js');
      const location = ctx.database;
      const result = await migrateStore(location);
      const data = {
        path: location.display,
        engine: location.engine,
        applied: result.applied,
        total: result.total,
      };
      ctx.output.result(data, () => {
        if (result.applied.length === 0) {
          ctx.output.success(`Database is up to date (${plural(result.total, 'migration')})`);
        } else {
          ctx.output.success(`Applied ${plural(result.applied.length, 'migration')}`);
          for (const name of result.applied) ctx.output.info(`  ${name}`);
        }
      });
    });
  return withExamples(command, ['db migrate', 'db migrate --db ./team.db']);
}
