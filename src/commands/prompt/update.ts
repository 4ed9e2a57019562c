import { Command } from 'commander';
import * as z from '../../core/zod.js';
import { type CommandDeps, parseInput, withExamples } from '../shared.js';
import {
  addScopeOptions,
  collect,
  parameters,
  parseDefaults,
  readBody,
  resolveScope,
} from './inputs.js';
import { toPromptJson } from './render.js';

const updateSchema = z.object({
  name: z.string(),
  file: z.optional(z.string()),
  body: z.optional(z.string()),
  system: z.optional(z.string()),
  description: z.optional(z.string()),
  model: z.optional(z.string()),
  temperature: z.optional(z.coerce.number().check(z.minimum(0), z.maximum(2))),
  maxTokens: z.optional(z.coerce.number().check(z.int(), z.positive())),
  tag: z.optional(z.array(z.string())),
  default: z.optional(z.array(z.string())),
  message: z.optional(z.string()),
  project: z.optional(z.string()),
  global: z.optional(z.boolean()),
});

export function createPromptUpdateCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('update')
      .description('Change a prompt; a change to its templates or settings makes a new version')
      .argument('<name>', 'prompt name')
      .option('-f, --file <path>', 'new body from a file (- for stdin)')
      .option('-b, --body <text>', 'new body as text')
      .option('-s, --system <text>', 'new system text ("" removes it)')
      .option('-d, --description <text>', 'new description')
      .option('-m, --model <model>', 'new model ("" removes it)')
      .option('--temperature <n>', 'sampling temperature, 0 to 2')
      .option('--max-tokens <n>', 'maximum tokens in the answer')
      .option('--tag <tag>', 'replace the tags (repeatable)', collect)
      .option('--default <name=value>', 'replace the variable defaults (repeatable)', collect)
      .option('--message <text>', 'note for the new version'),
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = parseInput(updateSchema, { name, ...options });
    const settings = [input.system, input.description, input.model, input.temperature];
    const onlyStdin = [...settings, input.maxTokens, input.tag, input.default].every(
      (value) => value === undefined,
    );
    const body = await readBody(ctx, input, onlyStdin);
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, input);
    const result = await prompts.update(scope, input.name, {
      body: body === '' && onlyStdin ? undefined : body,
      system: input.system === undefined ? undefined : input.system || null,
      description: input.description,
      model: input.model === undefined ? undefined : input.model || null,
      parameters: parameters(input)
        ? { ...(await prompts.get(scope, input.name)).version.parameters, ...parameters(input) }
        : undefined,
      tags: input.tag,
      variables: parseDefaults(input.default),
      message: input.message,
    });
    const json = { ...toPromptJson(result, scope), changed: result.changed };
    ctx.output.result(json, (p) => {
      if (!result.changed) ctx.output.info(`Prompt ${p.name} is unchanged (version ${p.version})`);
      else
        ctx.output.success(`Updated prompt ${ctx.output.style.name(p.name)} (now v${p.version})`);
    });
  });
  return withExamples(command, [
    'prompt update summarize --file prompts/summarize.hbs --message "Shorter answers"',
    'prompt update summarize --temperature 0.2',
    'prompt update greet --system ""',
  ]);
}
