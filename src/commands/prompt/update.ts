import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples } from '../shared.js';
import {
  addPromptFieldOptions,
  parameters,
  parseDefaults,
  promptFieldsSchema,
  readBody,
  resolveScope,
} from './inputs.js';
import { toPromptJson } from './render.js';

export function createPromptUpdateCommand(deps: CommandDeps): Command {
  const command = addPromptFieldOptions(
    new Command('update')
      .description('Change a prompt; a change to its templates or settings makes a new version')
      .argument('<name>', 'prompt name'),
    'update',
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(promptFieldsSchema, { name, ...options }, cmd);
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
