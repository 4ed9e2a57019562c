import { Command } from 'commander';
import { type CommandDeps, formatDate, withExamples } from '../shared.js';
import { addScopeOptions, resolveScope, type ScopeOptions } from './inputs.js';

export function createPromptVersionsCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('versions')
      .description("List a prompt's versions with their notes and line changes")
      .argument('<name>', 'prompt name'),
  ).action(async (name: string, options: ScopeOptions, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const services = await ctx.services();
    const scope = await resolveScope(ctx, await services.prompts(), options);
    const versions = await (await services.promptHistory()).versions(scope, name);
    const rows = versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() }));
    ctx.output.result(rows, (data) =>
      ctx.output.table(
        ['Version', 'Created', 'Message', 'Changes', 'Labels'],
        data.map((v) => [
          `v${v.version}`,
          formatDate(v.createdAt),
          v.message,
          `${ctx.output.style.success(`+${v.linesAdded}`)} ${ctx.output.style.error(`-${v.linesRemoved}`)}`,
          v.labels.join(', '),
        ]),
      ),
    );
  });
  return withExamples(command, ['prompt versions summarize', 'prompt versions summarize --json']);
}
