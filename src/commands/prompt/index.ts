import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createPromptCreateCommand } from './create.js';
import { createPromptDeleteCommand } from './delete.js';
import { createPromptDiffCommand } from './diff.js';
import { createPromptExportCommand } from './export.js';
import { createPromptImportCommand } from './import.js';
import { createPromptLabelCommand } from './label.js';
import { createPromptListCommand } from './list.js';
import { createPromptRenderCommand } from './render-command.js';
import { createPromptRunCommand } from './run.js';
import { createPromptShowCommand } from './show.js';
import { createPromptUpdateCommand } from './update.js';
import { createPromptVersionsCommand } from './versions.js';

export function createPromptCommand(deps: CommandDeps): Command {
  const group = new Command('prompt')
    .addCommand(createPromptCreateCommand(deps))
    .addCommand(createPromptListCommand(deps))
    .addCommand(createPromptShowCommand(deps))
    .addCommand(createPromptUpdateCommand(deps))
    .addCommand(createPromptVersionsCommand(deps))
    .addCommand(createPromptLabelCommand(deps))
    .addCommand(createPromptDiffCommand(deps))
    .addCommand(createPromptRenderCommand(deps))
    .addCommand(createPromptRunCommand(deps))
    .addCommand(createPromptImportCommand(deps))
    .addCommand(createPromptExportCommand(deps))
    .addCommand(createPromptDeleteCommand(deps));
  return withExamples(group, [
    'prompt create greet --body "Hello {{name}}"',
    'prompt render greet --var name=Ada',
  ]);
}
