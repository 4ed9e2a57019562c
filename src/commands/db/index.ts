import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createDbBackupCommand } from './backup.js';
import { createDbCopyCommand } from './copy.js';
import { createDbMigrateCommand } from './migrate.js';
import { createDbPathCommand } from './path.js';

export function createDbCommand(deps: CommandDeps): Command {
  const group = new Command('db')
    .addCommand(createDbPathCommand(deps))
    .addCommand(createDbMigrateCommand(deps))
    .addCommand(createDbBackupCommand(deps))
    .addCommand(createDbCopyCommand(deps));
  return withExamples(group, [
    'db path',
    'db backup ./prompt-runner-backup.db',
    'db copy --to postgresql://ann@db.team/prompts',
  ]);
}
