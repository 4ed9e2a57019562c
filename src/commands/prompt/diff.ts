import { Command } from 'commander';
import type { Output } from '../../core/output.js';
import type { PromptDiff } from '../../services/prompt-history.js';
import { type CommandDeps, withExamples } from '../shared.js';
import { addScopeOptions, resolveScope, type ScopeOptions } from './inputs.js';

export function createPromptDiffCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('diff')
      .description(
        'Compare two versions of a prompt (body, system text and settings) as a unified diff',
      )
      .argument('<name>', 'prompt name')
      .argument(
        '[from]',
        'a version (2, v2), a label or latest (default: the one before the latest)',
      )
      .argument('[to]', 'a version, a label or latest (default: latest)'),
  ).action(
    async (
      name: string,
      from: string | undefined,
      to: string | undefined,
      options: ScopeOptions,
      cmd: Command,
    ) => {
      const ctx = await deps.context(cmd);
      const services = await ctx.services();
      const scope = await resolveScope(ctx, await services.prompts(), options);
      const diff = await (await services.promptHistory()).diff(scope, name, from, to);
      ctx.output.result(diff, (data) => printDiff(ctx.output, data));
    },
  );
  return withExamples(command, [
    'prompt diff summarize',
    'prompt diff summarize 2 4',
    'prompt diff summarize production staging',
    'prompt diff summarize production --json',
  ]);
}

function printDiff(output: Output, diff: PromptDiff): void {
  if (!diff.changed) {
    output.info(
      `${diff.from.ref} and ${diff.to.ref} are the same (v${diff.from.version}, v${diff.to.version})`,
    );
    return;
  }
  const { style } = output;
  const lines = diff.patch
    .trimEnd()
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return style.heading(line);
      if (line.startsWith('+')) return style.success(line);
      if (line.startsWith('-')) return style.error(line);
      if (line.startsWith('@@')) return style.info(line);
      return line;
    });
  output.text(lines.join('\n'));
}
