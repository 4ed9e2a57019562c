import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';

export function createConfigUnsetCommand(deps: CommandDeps): Command {
  const command = new Command('unset')
    .description('Remove a config key, so its default applies again')
    .argument('<key>', 'config key (see `config list`)')
    .action(async (name: string, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const key = ctx.config.key(name);
      await ctx.config.unset(key);
      ctx.output.result({ key, value: null }, () => ctx.output.success(`Unset ${key}`));
    });
  return withExamples(command, ['config unset temperature']);
}
