import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import type { Part, PromptMessage } from '../../core/templating/messages.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import {
  addRenderExtraOptions,
  addScopeOptions,
  collect,
  parseVarFlags,
  readRenderExtras,
  readVarsFile,
  resolveScope,
} from './inputs.js';
import { versionOption } from './show.js';

const renderSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    var: z.optional(z.array(z.string())),
    varsFile: z.optional(z.string()),
    version: versionOption(z),
    part: z.optional(z.enum(['system', 'user'])),
    history: z.optional(z.string()),
    contextData: z.optional(z.string()),
    project: z.optional(z.string()),
    global: z.optional(z.boolean()),
  });

export function createPromptRenderCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    addRenderExtraOptions(new Command('render'))
      .description('Print exactly what would be sent to the model; calls no model')
      .argument('<name>', 'prompt name; name@3 for a version, name@production for a label')
      .option('--var <name=value>', 'a variable (repeatable)', collect)
      .option('--vars-file <path>', 'variables from a JSON or YAML file')
      .option('--version <n>', 'a given version (default: the latest)')
      .option('--part <part>', 'print only the system or the user text: system|user'),
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(renderSchema, { name, ...options }, cmd);
    const flags = parseVarFlags(input.var ?? []);
    const fromFile = input.varsFile ? await readVarsFile(ctx, input.varsFile) : {};
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, input);
    const variables: Record<string, unknown> = { ...fromFile, ...flags };
    // Piped text becomes {{input}}, read only when the prompt uses it and it was not given.
    const renderer = await prompts.renderer(scope, input.name, input.version);
    const declared = renderer.view.version.variables;
    if (!('input' in variables) && declared.some((v) => v.name === 'input')) {
      const piped = await ctx.readStdin();
      if (piped) variables.input = piped;
    }
    const rendered = renderer.render(variables, await readRenderExtras(ctx, input));
    ctx.output.result(rendered, (r) => {
      if (input.part === 'system') {
        if (r.system === null) throw new ValidationError(`Prompt ${r.name} has no system text`);
        ctx.output.write(r.system);
      } else if (input.part === 'user' || isOneUserText(r.messages)) {
        ctx.output.write(r.user);
      } else {
        r.messages.forEach((message, index) => {
          const what = message.metadata?.purpose === 'history' ? ' (history)' : '';
          ctx.output.info(
            ctx.output.style.dim(`${index > 0 ? '\n' : ''}── ${message.role}${what} ──`),
          );
          ctx.output.write(partsText(message.content));
        });
      }
    });
  });
  return withExamples(command, [
    'prompt render greet --var name=Ada --var topic="compilers"',
    'prompt render summarize@2 --vars-file vars.yaml',
    'git diff | prompt-runner prompt render review --part user',
    'prompt render support --history chat.jsonl --context-data state.yaml --json',
  ]);
}

/** A render that is one user message of text prints as that text alone. */
function isOneUserText(messages: PromptMessage[]): boolean {
  const [only] = messages;
  return messages.length === 1 && only?.role === 'user' && only.content.every((p) => 'text' in p);
}

/** Text parts as they are; media and sections named in brackets. */
function partsText(parts: Part[]): string {
  return parts
    .map((part) => {
      if ('text' in part) return part.text;
      if ('media' in part)
        return `[media: ${part.media.url}${part.media.contentType ? ` (${part.media.contentType})` : ''}]`;
      return `[section: ${part.metadata.purpose}]`;
    })
    .join('');
}
