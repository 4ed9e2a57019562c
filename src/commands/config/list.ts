import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';

export function createConfigListCommand(deps: CommandDeps): Command {
  const command = new Command('list')
    .alias('ls')
    .description('List every config key with its value and where the value comes from')
    .action(async (_options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const entries = ctx.config.keys.map((key) => ctx.config.entry(key));
      ctx.output.result(entries, (rows) => {
        ctx.output.table(
          ['Key', 'Value', 'Source', 'Description'],
          rows.map((e) => [e.key, displayValue(e.value), e.source, e.description]),
        );
        ctx.output.info(ctx.output.style.dim(`Config file: ${ctx.paths.configFile}`));
      });
    });
  return withExamples(command, ['config list', 'config list --json']);
}

function displayValue(value: unknown): string {
  if (value == null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
