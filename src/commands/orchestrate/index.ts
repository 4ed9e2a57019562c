import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { createAnalyzeCommand } from './analyze.js';
import { createContextCommand } from './context.js';
import { createImplementCommand, createPlanCommand } from './phases.js';
import { createRunCommand } from './run.js';
import {
  createDeleteSessionCommand,
  createExportSessionCommand,
  createListSessionsCommand,
  createShowSessionCommand,
} from './sessions.js';
import { createTemplatesCommand } from './templates.js';

export function createOrchestrateCommand(deps: CommandDeps): Command {
  const group = new Command('orchestrate')
    .addCommand(createPlanCommand(deps))
    .addCommand(createRunCommand(deps))
    .addCommand(createContextCommand(deps))
    .addCommand(createAnalyzeCommand(deps))
    .addCommand(createImplementCommand(deps))
    .addCommand(createListSessionsCommand(deps))
    .addCommand(createShowSessionCommand(deps))
    .addCommand(createExportSessionCommand(deps))
    .addCommand(createDeleteSessionCommand(deps))
    .addCommand(createTemplatesCommand(deps));
  return withExamples(group, [
    'orchestrate plan "add password reset" -p shop',
    'orchestrate context "add password reset" -p shop',
    'orchestrate analyze 3f2a9c1e',
    'orchestrate implement 3f2a9c1e -o PLAN.md',
  ]);
}
