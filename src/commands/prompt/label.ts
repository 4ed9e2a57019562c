import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import type { LabelChange, PromptLabels } from '../../services/prompt-history.js';
import { type CommandDeps, formatDate, parseInput, withExamples, type Zod } from '../shared.js';
import { addScopeOptions, resolveScope } from './inputs.js';
import { versionOption } from './show.js';

const labelSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    label: z.optional(z.string()),
    version: versionOption(z),
    list: z.optional(z.boolean()),
    delete: z.optional(z.boolean()),
    project: z.optional(z.string()),
    global: z.optional(z.boolean()),
  });

export function createPromptLabelCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('label')
      .description(
        'Point a label (production, staging, any name) at a version; list or delete labels',
      )
      .argument('<name>', 'prompt name')
      .argument('[label]', 'label name')
      .option('--version <n>', 'the version the label points at (default: the latest)')
      .option('--list', "list the prompt's labels and every move of them")
      .option('--delete', 'remove the label'),
  ).action(async (name: string, label: string | undefined, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(labelSchema, { name, label, ...options }, cmd);
    if (input.list && (input.delete || input.version !== undefined)) {
      throw new ValidationError('--list cannot be combined with --delete or --version');
    }
    if (input.delete && input.version !== undefined) {
      throw new ValidationError('--delete takes no --version');
    }
    if (!input.list && input.label === undefined) {
      throw new ValidationError('Which label?', {
        hint: `prompt-runner prompt label ${input.name} production, or --list`,
      });
    }
    const services = await ctx.services();
    const scope = await resolveScope(ctx, await services.prompts(), input);
    const history = await services.promptHistory();
    if (input.list) {
      const labels = await history.labels(scope, input.name);
      const shown = input.label
        ? {
            ...labels,
            labels: labels.labels.filter((l) => l.name === input.label),
            history: labels.history.filter((move) => move.label === input.label),
          }
        : labels;
      ctx.output.result(toLabelsJson(shown), (data) => printLabels(ctx, data));
      return;
    }
    const change = input.delete
      ? await history.deleteLabel(scope, input.name, input.label as string)
      : await history.setLabel(scope, input.name, input.label as string, input.version);
    ctx.output.result(change, (data) => ctx.output.success(describe(data)));
  });
  return withExamples(command, [
    'prompt label summarize production',
    'prompt label summarize staging --version 3',
    'prompt label summarize --list',
    'prompt label summarize staging --delete',
    'prompt run summarize@production --var text=hello',
  ]);
}

function describe({ prompt, label, version, previous }: LabelChange): string {
  if (version === null) return `Label ${label} of ${prompt} deleted (it pointed at v${previous})`;
  const was =
    previous === null ? '' : previous === version ? ' (unchanged)' : ` (was v${previous})`;
  return `Label ${label} of ${prompt} → v${version}${was}`;
}

function toLabelsJson({ prompt, labels, history }: PromptLabels) {
  return {
    prompt,
    labels: labels.map((l) => ({ label: l.name, version: l.version })),
    history: history.map((move) => ({
      label: move.label,
      version: move.version,
      at: move.at.toISOString(),
    })),
  };
}

function printLabels(
  ctx: Awaited<ReturnType<CommandDeps['context']>>,
  data: ReturnType<typeof toLabelsJson>,
): void {
  if (data.labels.length === 0 && data.history.length === 0) {
    ctx.output.info(
      `${data.prompt} has no labels. Add one: prompt-runner prompt label ${data.prompt} production`,
    );
    return;
  }
  ctx.output.table(
    ['Label', 'Version'],
    data.labels.map((l) => [l.label, `v${l.version}`]),
  );
  ctx.output.info('');
  ctx.output.table(
    ['When', 'Label', 'Version'],
    data.history.map((move) => [
      formatDate(move.at),
      move.label,
      move.version === null ? ctx.output.style.dim('deleted') : `v${move.version}`,
    ]),
  );
}
