import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { addScopeOptions, resolveScope } from './inputs.js';
import { printPromptDetails, toPromptJson } from './render.js';

export const versionOption = (z: Zod) => z.optional(z.coerce.number().check(z.int(), z.positive()));

const showSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    version: versionOption(z),
    project: z.optional(z.string()),
    global: z.optional(z.boolean()),
  });

export function createPromptShowCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('show')
      .description('Show a prompt: its body, system text, variables and settings')
      .argument('<name>', 'prompt name; name@3 for a version, name@production for a label')
      .option('--version <n>', 'a given version (default: the latest)'),
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(showSchema, { name, ...options }, cmd);
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, input);
    const view = await prompts.get(scope, input.name, input.version);
    ctx.output.result(toPromptJson(view, scope), (p) => printPromptDetails(ctx.output, p));
  });
  return withExamples(command, [
    'prompt show summarize',
    'prompt show summarize@2 --json',
    'prompt show summarize@production',
  ]);
}
