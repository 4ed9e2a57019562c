import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createConfigGetCommand } from './get.js';
import { createConfigListCommand } from './list.js';
import { createConfigSetCommand } from './set.js';
import { createConfigUnsetCommand } from './unset.js';

export function createConfigCommand(deps: CommandDeps): Command {
  const group = new Command('config')
    .addCommand(createConfigGetCommand(deps))
    .addCommand(createConfigSetCommand(deps))
    .addCommand(createConfigUnsetCommand(deps))
    .addCommand(createConfigListCommand(deps));
  return withExamples(group, ['config set model gpt-4o-mini', 'config list']);
}
