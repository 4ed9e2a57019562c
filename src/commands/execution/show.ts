import { Command } from 'commander';
import { type CommandDeps, withExamples } from '../shared.js';
import { printExecutionDetails, toExecutionJson } from './render.js';

export function createExecutionShowCommand(deps: CommandDeps): Command {
  const command = new Command('show')
    .description('Show one call: messages sent, answer, tokens, cost, latency, attempts, error')
    .argument('<id>', 'execution id, or a unique prefix of at least 4 characters')
    .action(async (id: string, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const executions = await (await ctx.services()).executions();
      const execution = await executions.show(id);
      ctx.output.result(toExecutionJson(execution), (e) => printExecutionDetails(ctx.output, e));
    });
  return withExamples(command, ['execution show 3f2a9c1e', 'execution show 3f2a --json']);
}
