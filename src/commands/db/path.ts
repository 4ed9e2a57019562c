import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';

export function createDbPathCommand(deps: CommandDeps): Command {
  const command = new Command('path')
    .description('Print the database file in use (from --db, PROMPT_RUNNER_DB or the default)')
    .action(async (_options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const { dbFile, configFile } = ctx.paths;
      ctx.output.result({ path: dbFile, exists: existsSync(dbFile), configFile }, (info) =>
        ctx.output.text(info.path),
      );
    });
  return withExamples(command, ['db path', 'db path --json']);
}
