import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createExecutionExportCommand } from './export.js';
import { createExecutionListCommand } from './list.js';
import { createExecutionPruneCommand } from './prune.js';
import { createExecutionSearchCommand } from './search.js';
import { createExecutionShowCommand } from './show.js';
import { createExecutionStatsCommand } from './stats.js';

export function createExecutionCommand(deps: CommandDeps): Command {
  const group = new Command('execution')
    .addCommand(createExecutionListCommand(deps))
    .addCommand(createExecutionShowCommand(deps))
    .addCommand(createExecutionSearchCommand(deps))
    .addCommand(createExecutionStatsCommand(deps))
    .addCommand(createExecutionExportCommand(deps))
    .addCommand(createExecutionPruneCommand(deps));
  return withExamples(group, ['execution list', 'execution search "timeout"']);
}
