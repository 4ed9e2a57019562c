import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { addScopeOptions, resolveScope, type ScopeOptions } from './inputs.js';
import { printPromptTable, toPromptSummaryJson } from './render.js';

export function createPromptListCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('list')
      .alias('ls')
      .description('List prompts with their latest version, variables and description')
      .option('--all', 'include orchestration templates'),
  ).action(async (options: ScopeOptions & { all?: boolean }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, options);
    const rows = (await prompts.list(scope, { all: options.all })).map((p) =>
      toPromptSummaryJson(p, scope),
    );
    ctx.output.list(
      rows,
      (p) => p.name,
      (data) => printPromptTable(ctx.output, data),
    );
  });
  return withExamples(command, [
    'prompt list',
    'prompt list -p myapp --json',
    'prompt list --global',
  ]);
}
