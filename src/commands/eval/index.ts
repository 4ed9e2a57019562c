import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createEvalCompareCommand } from './compare.js';
import { createEvalDeleteCommand, createEvalListCommand, createEvalShowCommand } from './manage.js';
import { createEvalResumeCommand } from './resume.js';
import { createEvalRunCommand } from './run.js';

export function createEvalCommand(deps: CommandDeps): Command {
  const group = new Command('eval')
    .addCommand(createEvalRunCommand(deps))
    .addCommand(createEvalResumeCommand(deps))
    .addCommand(createEvalListCommand(deps))
    .addCommand(createEvalShowCommand(deps))
    .addCommand(createEvalCompareCommand(deps))
    .addCommand(createEvalDeleteCommand(deps));
  return withExamples(group, ['eval run evals/summaries.yaml', 'eval show <run> --failing']);
}
