// orchestrate templates list|show|set|reset: the phase templates and their overrides.
import { Command, Option } from 'commander';
import type { AppContext } from '../../core/context.js';
import { ValidationError } from '../../core/errors.js';
import {
  PHASE_VARIABLES,
  PHASES,
  type Phase,
  resetTemplate,
  resolveTemplate,
  setTemplate,
} from '../../orchestration/phase-templates.js';
import type { PromptScope } from '../../services/prompt-service.js';
import { readTextFile, resolveScope } from '../prompt/inputs.js';
import { type CommandDeps, withExamples } from '../shared.js';

function phaseOf(value: string): Phase {
  if ((PHASES as readonly string[]).includes(value)) return value as Phase;
  throw new ValidationError(`Unknown phase "${value}"`, { hint: `phases: ${PHASES.join(', ')}` });
}

async function scopeOf(
  ctx: AppContext,
  options: { project?: string; global?: boolean },
): Promise<PromptScope> {
  const prompts = await (await ctx.services()).prompts();
  if (options.global || ctx.projectName(options.project))
    return resolveScope(ctx, prompts, options);
  return { project: null };
}

function scoped(command: Command): Command {
  return command
    .option('-p, --project <name>', 'the project (default: the current one)')
    .addOption(
      new Option('--global', 'the global override, for every project').conflicts('project'),
    );
}

export function createTemplatesCommand(deps: CommandDeps): Command {
  const list = scoped(
    new Command('list').description('Each phase template and where it comes from'),
  ).action(async (options: { project?: string; global?: boolean }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const prompts = await (await ctx.services()).prompts();
    const scope = await scopeOf(ctx, options);
    const rows = [];
    for (const phase of PHASES) {
      const template = await resolveTemplate(prompts, scope, phase);
      rows.push({
        phase,
        source: template.source,
        version: template.version,
        variables: PHASE_VARIABLES[phase],
      });
    }
    ctx.output.result(rows, (data) =>
      ctx.output.table(
        ['Phase', 'Source', 'Variables'],
        data.map((r) => [
          r.phase,
          r.version ? `${r.source} (v${r.version})` : r.source,
          r.variables.join(', '),
        ]),
      ),
    );
  });
  const show = scoped(
    new Command('show')
      .description('Print the template a phase uses')
      .argument('<phase>', PHASES.join('|')),
  ).action(async (phase: string, options: { project?: string; global?: boolean }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const prompts = await (await ctx.services()).prompts();
    const template = await resolveTemplate(prompts, await scopeOf(ctx, options), phaseOf(phase));
    ctx.output.result(template, (t) => ctx.output.write(t.body));
  });
  const set = scoped(
    new Command('set')
      .description('Override a phase template for the project (or globally)')
      .argument('<phase>', PHASES.join('|'))
      .requiredOption('-f, --file <path>', 'the Handlebars template'),
  ).action(
    async (
      phase: string,
      options: { file: string; project?: string; global?: boolean },
      cmd: Command,
    ) => {
      const ctx = await deps.context(cmd);
      const which = phaseOf(phase);
      const body = readTextFile(ctx, options.file, 'template file');
      const prompts = await (await ctx.services()).prompts();
      const scope = await scopeOf(ctx, options);
      const version = await setTemplate(prompts, scope, which, body);
      const where = scope.project ? `project ${scope.project.name}` : 'every project';
      ctx.output.result(
        { phase: which, scope: scope.project?.name ?? null, version: version.version },
        () =>
          ctx.output.success(`The ${which} template of ${where} is now version ${version.version}`),
      );
    },
  );
  const reset = scoped(
    new Command('reset')
      .description('Remove the override: the global or built-in template applies again')
      .argument('<phase>', PHASES.join('|')),
  ).action(async (phase: string, options: { project?: string; global?: boolean }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const which = phaseOf(phase);
    const prompts = await (await ctx.services()).prompts();
    const scope = await scopeOf(ctx, options);
    const removed = await resetTemplate(prompts, scope, which);
    const now = await resolveTemplate(prompts, scope, which);
    ctx.output.result({ phase: which, removed, source: now.source }, (d) =>
      ctx.output.success(
        `${d.removed ? 'Removed the override' : 'There was no override'}; the ${which} template comes from ${d.source}`,
      ),
    );
  });
  const group = new Command('templates')
    .description(
      'The templates of the three phases: built-in, or overridden globally or per project',
    )
    .addCommand(list)
    .addCommand(show)
    .addCommand(set)
    .addCommand(reset);
  return withExamples(group, [
    'orchestrate templates list',
    'orchestrate templates show analysis > analysis.hbs',
    'orchestrate templates set analysis --file analysis.hbs -p shop',
    'orchestrate templates reset analysis -p shop',
  ]);
}
