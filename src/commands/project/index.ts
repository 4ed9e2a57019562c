import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createProjectCreateCommand } from './create.js';
import { createProjectDeleteCommand } from './delete.js';
import { createProjectListCommand } from './list.js';
import { createProjectShowCommand } from './show.js';
import { createProjectUpdateCommand } from './update.js';
import { createProjectUseCommand } from './use.js';

export function createProjectCommand(deps: CommandDeps): Command {
  const group = new Command('project')
    .addCommand(createProjectCreateCommand(deps))
    .addCommand(createProjectListCommand(deps))
    .addCommand(createProjectShowCommand(deps))
    .addCommand(createProjectUpdateCommand(deps))
    .addCommand(createProjectUseCommand(deps))
    .addCommand(createProjectDeleteCommand(deps));
  return withExamples(group, ['project create myapp --root .', 'project list']);
}
