import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { printExecutionTable, toExecutionSummaryJson } from './render.js';

const listSchema = (z: Zod) =>
  z.object({
    limit: z.coerce.number().check(z.int(), z.positive()),
    status: z.optional(z.enum(['success', 'error', 'cancelled'])),
    prompt: z.optional(z.string()),
    model: z.optional(z.string()),
    since: z.optional(z.string()),
    project: z.optional(z.string()),
  });

export function createExecutionListCommand(deps: CommandDeps): Command {
  const command = new Command('list')
    .alias('ls')
    .description('List recent model calls, newest first')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--status <status>', 'only success, error or cancelled')
    .option('--prompt <name>', 'only calls of this prompt')
    .option('--model <model>', 'only calls to this model')
    .option('--since <when>', 'only calls since a duration ago (7d, 12h) or a date (2026-01-31)')
    .option('-p, --project <name>', 'only calls in this project')
    .action(async (options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(listSchema, options, cmd);
      const services = await ctx.services();
      const executions = await services.executions();
      const project = input.project ? await services.projects.get(input.project) : undefined;
      const rows = await executions.list({
        limit: input.limit,
        status: input.status,
        promptName: input.prompt,
        model: input.model,
        since: input.since ? executions.since(input.since) : undefined,
        projectId: project?.id,
      });
      ctx.output.list(
        rows.map(toExecutionSummaryJson),
        (e) => e.id,
        (data) => printExecutionTable(ctx.output, data),
      );
    });
  return withExamples(command, [
    'execution list',
    'execution list -n 50 --status error --since 7d',
    'execution list --prompt summarize --model gpt-4o-mini --json',
  ]);
}
