import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';

export function createDbPathCommand(deps: CommandDeps): Command {
  const command = new Command('path')
    .description(
      'Print the store in use (from --db, the config, PROMPT_RUNNER_DB or the default): a file, or a URL with its password masked',
    )
    .action(async (_options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const location = ctx.database;
      const { configFile } = ctx.paths;
      // A server is not contacted: `exists` is known for files only.
      const exists = location.engine === 'sqlite' ? existsSync(location.file) : null;
      const data = { path: location.display, engine: location.engine, exists, configFile };
      ctx.output.result(data, (info) => ctx.output.text(info.path));
    });
  return withExamples(command, ['db path', 'db path --json']);
}
