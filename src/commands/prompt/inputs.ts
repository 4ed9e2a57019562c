// Reading what prompt commands are given: bodies, variables, scope and parameters.

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { AppContext } from '../../core/context.js';
import { ValidationError } from '../../core/errors.js';
import type { PromptMessage } from '../../core/templating/messages.js';
import { describeYamlError, yamlValue } from '../../core/yaml-error.js';
import type { PromptParameters, VariableSpec } from '../../db/repositories/prompt-repository.js';
import type { PromptScope, PromptService } from '../../services/prompt-service.js';
import type { RenderExtras } from '../../services/prompt-template.js';
import type { Zod } from '../shared.js';

/** The options `prompt create` and `prompt update` share, as parsed. */
export const promptFieldsSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    file: z.optional(z.string()),
    body: z.optional(z.string()),
    system: z.optional(z.string()),
    description: z.optional(z.string()),
    model: z.optional(z.string()),
    temperature: z.optional(z.coerce.number().check(z.minimum(0), z.maximum(2))),
    maxTokens: z.optional(z.coerce.number().check(z.int(), z.positive())),
    tag: z.optional(z.array(z.string().check(z.trim(), z.minLength(1, 'a tag cannot be empty')))),
    default: z.optional(z.array(z.string())),
    message: z.optional(z.string()),
    project: z.optional(z.string()),
    global: z.optional(z.boolean()),
  });

/** Declares those options; `verb` words the help for creating or changing. */
export function addPromptFieldOptions(command: Command, verb: 'create' | 'update'): Command {
  const fresh = verb === 'create';
  return addScopeOptions(
    command
      .option('-f, --file <path>', `${fresh ? '' : 'new '}body from a file (- for stdin)`)
      .option('-b, --body <text>', `${fresh ? 'the' : 'new'} body as text`)
      .option(
        '-s, --system <text>',
        fresh ? 'system text (a template too)' : 'new system text ("" removes it)',
      )
      .option('-d, --description <text>', fresh ? 'what the prompt is for' : 'new description')
      .option('-m, --model <model>', fresh ? 'model for this prompt' : 'new model ("" removes it)')
      .option('--temperature <n>', 'sampling temperature, 0 to 2')
      .option('--max-tokens <n>', 'maximum tokens in the answer')
      .option('--tag <tag>', `${fresh ? 'a tag' : 'replace the tags'} (repeatable)`, collect)
      .option(
        '--default <name=value>',
        `${fresh ? 'default value of a variable' : 'replace the variable defaults'} (repeatable)`,
        collect,
      )
      .option('--message <text>', `note for ${fresh ? 'this' : 'the new'} version`),
  );
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface ScopeOptions {
  project?: string;
  global?: boolean;
}

/** -p/--project and --global, for commands that work on prompts. */
export function addScopeOptions(command: Command): Command {
  return command
    .option('-p, --project <name>', 'project (default: the current one)')
    .addOption(
      new Option('--global', 'global prompts, shared by every project').conflicts('project'),
    );
}

export async function resolveScope(
  ctx: AppContext,
  prompts: PromptService,
  options: ScopeOptions,
): Promise<PromptScope> {
  if (options.global) return prompts.scope(null);
  const name = ctx.projectName(options.project);
  if (!name) {
    throw new ValidationError('No project selected', {
      hint: 'pass -p <name> or --global, or run `prompt-runner project use <name>`',
    });
  }
  return prompts.scope(name);
}

export function readTextFile(ctx: AppContext, path: string, what: string): string {
  try {
    return readFileSync(resolve(ctx.cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
    throw new ValidationError(`Cannot read ${what} ${path}: ${reason}`);
  }
}

/**
 * The body from --file (`-` for stdin) or --body, else from piped stdin when `stdinFallback`.
 * Undefined when none was given.
 */
export async function readBody(
  ctx: AppContext,
  options: { file?: string; body?: string },
  stdinFallback: boolean,
): Promise<string | undefined> {
  if (options.file !== undefined && options.body !== undefined) {
    throw new ValidationError('Give the body with --file or --body, not both');
  }
  if (options.body !== undefined) return options.body;
  // A file's (or a pipe's) last newline ends the file, not the body.
  if (options.file === '-') return withoutFinalNewline((await ctx.readStdin()) ?? '');
  if (options.file !== undefined) {
    return withoutFinalNewline(readTextFile(ctx, options.file, 'file'));
  }
  const piped = stdinFallback ? await ctx.readStdin() : undefined;
  return piped === undefined ? undefined : withoutFinalNewline(piped);
}

/** `--var name=value` flags as an object; the value may itself contain `=`. */
export function parseVarFlags(flags: string[], flag = '--var'): Record<string, string> {
  const values: Record<string, string> = {};
  for (const item of flags) {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new ValidationError(`${flag} ${JSON.stringify(item)} needs the form name=value`);
    }
    values[item.slice(0, at).trim()] = item.slice(at + 1);
  }
  return values;
}

/** A JSON or YAML file holding an object of variables (`kind` names it in errors). */
export async function readVarsFile(
  ctx: AppContext,
  path: string,
  kind = 'vars file',
): Promise<Record<string, unknown>> {
  const text = readTextFile(ctx, path, kind);
  // yaml is CommonJS: the bundle's dynamic import of it has only a default export.
  const { parseDocument } = (await import('yaml')).default;
  const document = parseDocument(text);
  const error = document.errors[0];
  const Kind = kind[0]?.toUpperCase() + kind.slice(1);
  if (error) {
    throw new ValidationError(
      `${Kind} ${path} is not valid JSON or YAML at ${describeYamlError(error)}`,
    );
  }
  const value = yamlValue(document, `${Kind} ${path}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(`${Kind} ${path} must hold an object of name: value pairs`);
  }
  return value as Record<string, unknown>;
}

/** --default name=value flags as declared variables. */
export function parseDefaults(flags: string[] | undefined): VariableSpec[] | undefined {
  if (!flags || flags.length === 0) return undefined;
  return Object.entries(parseVarFlags(flags, '--default')).map(([name, value]) => ({
    name,
    required: false,
    default: value,
  }));
}

export function parameters(options: {
  temperature?: number;
  maxTokens?: number;
}): PromptParameters | undefined {
  const result: PromptParameters = {};
  if (options.temperature !== undefined) result.temperature = options.temperature;
  if (options.maxTokens !== undefined) result.maxTokens = options.maxTokens;
  return Object.keys(result).length > 0 ? result : undefined;
}

/** Earlier turns from `--history` (JSON or JSONL messages, OpenAI or Dotprompt shape). */
export async function readHistoryFile(ctx: AppContext, path: string): Promise<PromptMessage[]> {
  const { readHistory } = await import('../../services/chat-history.js');
  const size = fileSize(resolve(ctx.cwd, path));
  if (size !== undefined && size > MAX_HISTORY_BYTES) {
    throw new ValidationError(
      `The history file ${path} is ${(size / 1024 / 1024).toFixed(1)} MB; a history is read up to ${MAX_HISTORY_BYTES / 1024 / 1024} MB`,
    );
  }
  return readHistory(readTextFile(ctx, path, 'history file'), path);
}

/** The largest history file read: every turn is sent and recorded with each call. */
const MAX_HISTORY_BYTES = 20 * 1024 * 1024;

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** What a render gets besides its variables: `--history` and `--context-data`. */
export async function readRenderExtras(
  ctx: AppContext,
  options: { history?: string; contextData?: string },
): Promise<RenderExtras> {
  const extras: RenderExtras = {};
  if (options.history) extras.history = await readHistoryFile(ctx, options.history);
  if (options.contextData) {
    extras.context = await readVarsFile(ctx, options.contextData, 'context data file');
  }
  return extras;
}

/** The options of `readRenderExtras`. */
export function addRenderExtraOptions(command: Command): Command {
  return command
    .option('--history <file>', 'earlier turns: JSON or JSONL messages, placed at {{history}}')
    .option('--context-data <file>', 'context data for @state, @auth…: a JSON or YAML object');
}

function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
