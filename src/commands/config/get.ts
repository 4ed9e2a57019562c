import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';

export function createConfigGetCommand(deps: CommandDeps): Command {
  const command = new Command('get')
    .description('Print the value of a config key (empty when unset)')
    .argument('<key>', 'config key (see `config list`)')
    .action(async (name: string, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const key = ctx.config.key(name);
      ctx.output.result(ctx.config.entry(key), (entry) =>
        ctx.output.text(
          entry.value == null
            ? ''
            : typeof entry.value === 'object'
              ? JSON.stringify(entry.value)
              : String(entry.value),
        ),
      );
    });
  return withExamples(command, ['config get model', 'config get baseUrl --json']);
}
