import { lstatSync } from 'node:fs';
import { Command } from 'commander';
import { parseLocation } from '../../core/database-location.js';
import { ValidationError } from '../../core/errors.js';
import { type Progress, startProgress } from '../prompt/run-output.js';
import { type CommandDeps, plural, withExamples } from '../shared.js';

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

export function createDbCopyCommand(deps: CommandDeps): Command {
  const command = new Command('copy')
    .description(
      'Copy every row of the store in use into another, empty store (an SQLite file or a postgresql:// URL)',
    )
    .requiredOption('--to <file|url>', 'the store to fill: a new file, or an empty database')
    .action(async (input: { to: string }, cmd: Command) => {
      const ctx = await deps.context(cmd);
      if (!input.to.trim()) {
        throw new ValidationError('db copy needs --to <file|url>', {
          hint: 'prompt-runner db copy --to postgresql://ann@db.team/prompts',
        });
      }
      const source = ctx.database;
      const target = parseLocation(input.to, ctx.cwd);
      // A file's display is its absolute path; a URL's, the URL masked.
      if (source.display === target.display) {
        throw new ValidationError('db copy --to names the store in use');
      }
      if (target.engine === 'sqlite' && isLink(target.file)) {
        throw new ValidationError(
          `${target.file} is a symbolic link: db copy does not write through it`,
          {
            hint: 'name the file itself, or a new file',
          },
        );
      }
      const { openDatabase } = await import('../../db/client.js');
      const { copyStore } = await import('../../db/store-copy.js');
      const from = await ctx.db();
      const to = await openDatabase(target);
      let progress: Progress | undefined;
      try {
        const result = await copyStore(from, to, async (copied, total) => {
          progress ??= await startProgress(
            ctx,
            total,
            ' {bar} {value}/{total} rows · {duration_formatted}',
          );
          progress.update(copied);
        }).finally(() => progress?.stop());
        const data = { from: source.display, to: target.display, ...result };
        ctx.output.result(data, () =>
          ctx.output.success(`Copied ${plural(result.rows, 'row')} to ${target.display}`),
        );
      } finally {
        await to.close();
      }
    });
  return withExamples(command, [
    'db copy --to postgresql://ann@db.team:5432/prompts',
    'db copy --db postgresql://ann@db.team/prompts --to ./prompts-backup.db',
  ]);
}
