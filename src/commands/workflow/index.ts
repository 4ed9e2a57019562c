import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import {
  createWorkflowCreateCommand,
  createWorkflowUpdateCommand,
  createWorkflowValidateCommand,
} from './define.js';
import {
  createWorkflowDeleteCommand,
  createWorkflowListCommand,
  createWorkflowRunsCommand,
  createWorkflowShowCommand,
  createWorkflowStatusCommand,
} from './manage.js';
import { createWorkflowResumeCommand, createWorkflowRunCommand } from './run.js';

export function createWorkflowCommand(deps: CommandDeps): Command {
  const group = new Command('workflow')
    .addCommand(createWorkflowCreateCommand(deps))
    .addCommand(createWorkflowUpdateCommand(deps))
    .addCommand(createWorkflowListCommand(deps))
    .addCommand(createWorkflowShowCommand(deps))
    .addCommand(createWorkflowValidateCommand(deps))
    .addCommand(createWorkflowRunCommand(deps))
    .addCommand(createWorkflowRunsCommand(deps))
    .addCommand(createWorkflowStatusCommand(deps))
    .addCommand(createWorkflowResumeCommand(deps))
    .addCommand(createWorkflowDeleteCommand(deps));
  return withExamples(group, ['workflow validate wf.yaml', 'workflow run wf.yaml --input topic=x']);
}
