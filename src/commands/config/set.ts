import { resolve } from 'node:path';
import { Command } from 'commander';
import { isDatabaseUrl } from '../../core/database-location.js';
import { type CommandDeps, withExamples } from '../shared.js';

export function createConfigSetCommand(deps: CommandDeps): Command {
  const command = new Command('set')
    .description('Set a config key')
    .argument('<key>', 'config key (see `config list`)')
    .argument('<value>', 'new value')
    .action(async (name: string, raw: string, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const key = ctx.config.key(name);
      let value = ctx.config.parse(key, raw);
      // A file is kept as an absolute path: the same store from any folder.
      if (key === 'database' && !isDatabaseUrl(String(value)))
        value = resolve(ctx.cwd, String(value));
      // The current project must exist, as `project use` makes sure.
      if (key === 'project') await (await ctx.services()).projects.get(String(value));
      await ctx.config.set(key, value);
      ctx.output.result({ key, value }, () =>
        ctx.output.success(`Set ${key} = ${JSON.stringify(value)}`),
      );
    });
  return withExamples(command, [
    'config set model gpt-4o-mini',
    'config set baseUrl http://localhost:11434/v1',
    'config set temperature 0.2',
  ]);
}
