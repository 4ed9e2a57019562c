import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createOptimizeListCommand } from './list.js';
import { createOptimizeRunCommand } from './run.js';
import { createOptimizeShowCommand } from './show.js';

export function createOptimizeCommand(deps: CommandDeps): Command {
  const group = new Command('optimize')
    .addCommand(createOptimizeRunCommand(deps))
    .addCommand(createOptimizeListCommand(deps))
    .addCommand(createOptimizeShowCommand(deps));
  return withExamples(group, [
    'optimize run summarize --eval evals/summaries.yaml --dry-run',
    'optimize show <id>',
  ]);
}
