import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
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

export function createPromptCreateCommand(deps: CommandDeps): Command {
  const command = addPromptFieldOptions(
    new Command('create')
      .description('Create a prompt from a Handlebars template (version 1)')
      .argument('<name>', "prompt name: letters, digits, '.', '_' and '-'"),
    'create',
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(promptFieldsSchema, { name, ...options }, cmd);
    const body = await readBody(ctx, input, true);
    if (body === undefined) {
      throw new ValidationError('No body given', {
        hint: 'use --file <path>, --body <text>, or pipe it on stdin',
      });
    }
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, input);
    const view = await prompts.create(scope, input.name, {
      body,
      system: input.system ?? null,
      description: input.description ?? null,
      model: input.model ?? null,
      parameters: parameters(input),
      tags: input.tag,
      variables: parseDefaults(input.default),
      message: input.message ?? null,
    });
    ctx.output.created(
      toPromptJson(view, scope),
      (p) => p.name,
      (p) => {
        const vars = p.variables.map((v) => v.name).join(', ') || 'none';
        ctx.output.success(
          `Created prompt ${ctx.output.style.name(p.name)} v1 (variables: ${vars})`,
        );
      },
    );
  });
  return withExamples(command, [
    'prompt create summarize --file prompts/summarize.hbs',
    'prompt create greet --body "Hello {{name}}, tell me about {{topic}}" --default topic=AI',
    'cat review.hbs | prompt-runner prompt create review --system "You are a strict reviewer"',
  ]);
}
