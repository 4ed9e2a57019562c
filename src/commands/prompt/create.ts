import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
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

const createSchema = z.object({
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

export function createPromptCreateCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('create')
      .description('Create a prompt from a Handlebars template (version 1)')
      .argument('<name>', "prompt name: letters, digits, '.', '_' and '-'")
      .option('-f, --file <path>', 'read the body from a file (- for stdin)')
      .option('-b, --body <text>', 'the body as text')
      .option('-s, --system <text>', 'system text (a template too)')
      .option('-d, --description <text>', 'what the prompt is for')
      .option('-m, --model <model>', 'model for this prompt')
      .option('--temperature <n>', 'sampling temperature, 0 to 2')
      .option('--max-tokens <n>', 'maximum tokens in the answer')
      .option('--tag <tag>', 'a tag (repeatable)', collect)
      .option('--default <name=value>', 'default value of a variable (repeatable)', collect)
      .option('--message <text>', 'note for this version'),
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = parseInput(createSchema, { name, ...options });
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
    ctx.output.result(toPromptJson(view, scope), (p) => {
      const vars = p.variables.map((v) => v.name).join(', ') || 'none';
      ctx.output.success(`Created prompt ${ctx.output.style.name(p.name)} v1 (variables: ${vars})`);
    });
  });
  return withExamples(command, [
    'prompt create summarize --file prompts/summarize.hbs',
    'prompt create greet --body "Hello {{name}}, tell me about {{topic}}" --default topic=AI',
    'cat review.hbs | prompt-runner prompt create review --system "You are a strict reviewer"',
  ]);
}
