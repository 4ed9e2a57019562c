import { Command } from 'commander';
import { type CommandDeps, plural, withExamples } from '../shared.js';
import { addScopeOptions, resolveScope, type ScopeOptions } from './inputs.js';
import { toPromptSummaryJson } from './render.js';

export function createPromptDeleteCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('delete')
      .alias('rm')
      .description('Delete a prompt with all its versions')
      .argument('<name>', 'prompt name')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (name: string, options: ScopeOptions & { yes?: boolean }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, options);
    const prompt = await prompts.findOwn(scope, name);
    const versions = plural(prompt.versionCount, 'version');
    if (!(await ctx.confirm(`Delete prompt ${prompt.name} and its ${versions}?`, options.yes))) {
      ctx.output.info('Nothing deleted.');
      return;
    }
    await prompts.delete(scope, prompt.name);
    ctx.output.result(toPromptSummaryJson(prompt, scope), () =>
      ctx.output.success(`Deleted prompt ${prompt.name} (${versions})`),
    );
  });
  return withExamples(command, ['prompt delete old-draft --yes']);
}
