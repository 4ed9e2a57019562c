import { Command } from 'commander';
import { failureReason } from '../../evals/summary.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printRuns, printSummary, toRunJson, toSummaryJson } from './render.js';

const listSchema = (z: Zod) =>
  z.object({
    name: z.optional(z.string()),
    project: z.optional(z.string()),
    limit: z.optional(z.coerce.number().check(z.int(), z.positive())),
  });

export function createEvalListCommand(deps: CommandDeps): Command {
  const command = new Command('list')
    .description('Eval runs, newest first: status and cells passed')
    .option('--name <eval>', 'only the runs of this eval')
    .option('-p, --project <name>', 'only the runs of this project')
    .option('-n, --limit <n>', 'how many (default 20)')
    .action(async (options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(listSchema, options, cmd);
      const services = await ctx.services();
      const project = input.project
        ? (await (await services.prompts()).scope(input.project)).project
        : null;
      const runs = await (await services.evals()).list({
        name: input.name,
        projectId: project?.id,
        limit: input.limit ?? 20,
      });
      ctx.output.list(
        runs.map(toRunJson),
        (run) => run.id,
        (rows) => printRuns(ctx.output, rows),
      );
    });
  return withExamples(command, ['eval list', 'eval list --name summaries -n 5 --json']);
}

const showSchema = (z: Zod) =>
  z.object({
    run: z.string(),
    failing: z.optional(z.boolean()),
    case: z.optional(z.string()),
  });

export function createEvalShowCommand(deps: CommandDeps): Command {
  const command = new Command('show')
    .description('An eval run: the summary per variant, then its cells')
    .argument('<run>', 'run id (or a unique prefix of at least 4 characters)')
    .option('--failing', 'only the cells that failed')
    .option('--case <id>', 'only the cells of this case')
    .action(async (run: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(showSchema, { run, ...options }, cmd);
      const shown = await (await ctx.services()).evals().then((evals) => evals.show(input.run));
      const variants = (shown.run.config as { variants: { label: string }[] }).variants;
      const cells = shown.results
        .filter((r) => (!input.failing || !r.pass) && (!input.case || r.caseId === input.case))
        .map((r) => ({ ...r, variantLabel: variants[r.variant]?.label ?? String(r.variant) }));
      const data = { ...toSummaryJson(shown.run, shown.summary), results: cells };
      ctx.output.result(data, (d) => {
        printSummary(ctx.output, { ...d, failures: [] });
        ctx.output.info('');
        ctx.output.table(
          ['Case', 'Variant', 'Result', 'Score', 'Output / reason'],
          d.results.map((c) => [
            c.repeat > 0 ? `${c.caseId} #${c.repeat + 1}` : c.caseId,
            c.variantLabel,
            c.pass ? ctx.output.style.success('pass') : ctx.output.style.error('fail'),
            c.score.toFixed(2),
            c.pass ? oneLine(c.output ?? '') : failureReason(c),
          ]),
        );
      });
    });
  return withExamples(command, [
    'eval show 3f2a',
    'eval show 3f2a --failing',
    'eval show 3f2a --case ada --json',
  ]);
}

const deleteSchema = (z: Zod) => z.object({ run: z.string(), yes: z.optional(z.boolean()) });

export function createEvalDeleteCommand(deps: CommandDeps): Command {
  const command = new Command('delete')
    .description('Delete an eval run and its cells (the executions stay)')
    .argument('<run>', 'run id (or a unique prefix)')
    .option('-y, --yes', 'do not ask')
    .action(async (run: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(deleteSchema, { run, ...options }, cmd);
      const evals = await (await ctx.services()).evals();
      const found = await evals.get(input.run);
      if (
        !(await ctx.confirm(`Delete eval run ${found.id.slice(0, 8)} (${found.name})?`, input.yes))
      ) {
        return;
      }
      await evals.delete(found.id);
      ctx.output.result(toRunJson(found), (r) =>
        ctx.output.success(`Deleted eval run ${r.id.slice(0, 8)} (${r.name})`),
      );
    });
  return withExamples(command, ['eval delete 3f2a --yes']);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
