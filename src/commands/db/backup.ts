import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { type CommandDeps, withExamples } from '../shared.js';

export function createDbBackupCommand(deps: CommandDeps): Command {
  const command = new Command('backup')
    .description('Write a consistent copy of the database to a new file (safe while in use)')
    .argument('<file>', 'where to write the copy (must not exist)')
    .action(async (file: string, _options: object, cmd: Command) => {
      if (!file.trim()) {
        throw new ValidationError('db backup needs a file name', {
          hint: 'prompt-runner db backup <file>',
        });
      }
      const ctx = await deps.context(cmd);
      const location = ctx.database;
      if (location.engine !== 'sqlite') {
        throw new ValidationError('db backup copies an SQLite file; this store is PostgreSQL', {
          hint: 'use pg_dump for the server, or `prompt-runner db copy --to <file>` for an SQLite copy',
        });
      }
      const target = resolve(ctx.cwd, file);
      const { backupDatabase } = await import('../../db/backup.js');
      backupDatabase(location.file, target);
      const data = { source: location.file, path: target, sizeBytes: statSync(target).size };
      ctx.output.result(data, () => ctx.output.success(`Backed up the database to ${target}`));
    });
  return withExamples(command, ['db backup ~/backups/prompt-runner-2026-11-25.db']);
}
