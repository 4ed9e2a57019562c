// The `.prompt` file (Dotprompt): YAML front matter and a Handlebars body. Fields with a
// column (name, description, model, config's sampling keys, input defaults, our own
// `prompt-runner.*` fields) are read into it; every other field (input and output schemas,
// tools, variant, extension keys, any config key) is kept as written and exported again.
import { parseDocument, stringify } from 'yaml';
import { ValidationError } from '../core/errors.js';
import { describeYamlError, yamlValue } from '../core/yaml-error.js';
import * as z from '../core/zod.js';
import { issueReason } from '../core/zod-issue.js';
import type {
  PromptMetadata,
  PromptParameters,
  PromptVersionRecord,
  VariableSpec,
} from '../db/repositories/prompt-repository.js';

export const PROMPT_FILE_EXTENSION = '.prompt';
const NS = 'prompt-runner';
/** Marks a prompt imported from a `_name.prompt` file: exported back as a partial. */
export const PARTIAL_KEY = `${NS}.partial`;

export interface PromptFileData {
  name?: string;
  variant?: string;
  description?: string;
  model?: string;
  parameters: PromptParameters;
  /** Variables declared in `input.schema`, in file order, with `input.default` merged in. */
  variables: VariableSpec[];
  metadata: PromptMetadata;
  tags?: string[];
  category?: string;
  message?: string;
  /** The template: with front matter, trimmed (as Dotprompt reads it); else the file as is. */
  body: string;
  /** A system text kept apart: a body written as `prompt export` writes one (see below). */
  system?: string;
  /** The file has front matter (a front-matter-only file has an empty body). */
  hasFrontMatter: boolean;
}

const frontMatterSchema = z.looseObject({
  name: z.optional(z.string()),
  variant: z.optional(z.string()),
  description: z.optional(z.string()),
  model: z.optional(z.string()),
  config: z.optional(
    z.looseObject({
      temperature: z.optional(z.number()),
      maxOutputTokens: z.optional(z.int()),
      topP: z.optional(z.number()),
      stopSequences: z.optional(z.array(z.string())),
      seed: z.optional(z.int()),
    }),
  ),
  input: z.optional(
    z.looseObject({
      schema: z.optional(z.unknown()),
      default: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
  output: z.optional(
    z.looseObject({ format: z.optional(z.string()), schema: z.optional(z.unknown()) }),
  ),
  tools: z.optional(z.array(z.string())),
  [`${NS}.tags`]: z.optional(z.array(z.string())),
  [`${NS}.category`]: z.optional(z.string()),
  [`${NS}.message`]: z.optional(z.string()),
});

// Comment lines (a license header) may come before the front matter.
const FRONT_MATTER =
  /^(?:#[^\n]*\r?\n|[ \t]*\r?\n)*---[ \t]*\r?\n([\s\S]*?\r?\n)?---[ \t]*(?:\r?\n|$)/;
const CONFIG_COLUMNS: Record<string, keyof PromptParameters> = {
  temperature: 'temperature',
  maxOutputTokens: 'maxTokens',
  topP: 'topP',
  stopSequences: 'stop',
  seed: 'seed',
};
// How a prompt made with `--system` is written: the `~` trims the newlines around the markers,
// so Dotprompt sends the same two texts. Any other shape is a body with role markers in it.
const SYSTEM_AND_USER =
  /^\{\{role "system" ?~\}\}\n([\s\S]*?)\n\{\{~role "user" ?~\}\}\n([\s\S]*)$/;
const COLUMNS = new Set([
  'name',
  'description',
  'model',
  'config',
  `${NS}.tags`,
  `${NS}.category`,
  `${NS}.message`,
]);

export function parsePromptFile(file: string, fileName: string): PromptFileData {
  // A byte-order mark is not text, and a CRLF file reads as an LF one.
  const text = file.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = FRONT_MATTER.exec(text);
  if (!match) return { ...emptyFile(), body: text, hasFrontMatter: false };
  const body = text.slice(match[0].length).trim();
  const document = parseDocument(match[1] ?? '');
  const yamlError = document.errors[0];
  if (yamlError) {
    throw new ValidationError(
      `${fileName}: front matter is not valid YAML at ${describeYamlError(yamlError)}`,
    );
  }
  const value = yamlValue(document, `${fileName}: front matter`) ?? {};
  const parsed = frontMatterSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(front matter)';
    const reason = issue ? issueReason(issue) : 'invalid';
    throw new ValidationError(`${fileName}: invalid front matter at ${path}: ${reason}`);
  }
  const front = parsed.data as Record<string, unknown> & typeof parsed.data;
  const parameters: PromptParameters = {};
  const extra: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(front.config ?? {})) {
    const column = CONFIG_COLUMNS[key];
    if (column) (parameters as Record<string, unknown>)[column] = setting;
    else extra[key] = setting;
  }
  if (Object.keys(extra).length > 0) parameters.extra = extra;
  const metadata: PromptMetadata = {};
  for (const [key, field] of Object.entries(front)) {
    if (COLUMNS.has(key)) continue;
    if (key === 'input') {
      const { default: _defaults, ...input } = field as Record<string, unknown>;
      if (Object.keys(input).length > 0) metadata.input = input;
    } else metadata[key] = field;
  }
  const split = splitSystem(body);
  return {
    ...split,
    name: front.name,
    variant: front.variant,
    description: front.description,
    model: front.model,
    parameters,
    variables: readSchema(front.input?.schema, front.input?.default ?? {}),
    metadata,
    tags: front[`${NS}.tags`] as string[] | undefined,
    category: front[`${NS}.category`] as string | undefined,
    message: front[`${NS}.message`] as string | undefined,
    hasFrontMatter: true,
  };
}

function splitSystem(body: string): { body: string; system?: string } {
  const match = SYSTEM_AND_USER.exec(body);
  return match ? { system: match[1] ?? '', body: match[2] ?? '' } : { body };
}

function emptyFile(): Omit<PromptFileData, 'body' | 'hasFrontMatter'> {
  return { parameters: {}, variables: [], metadata: {} };
}

/**
 * The variables a Picoschema (or JSON Schema) object declares: `name: type, description`,
 * `name?: type` for optional ones, `tags(array, description): type`.
 */
function readSchema(schema: unknown, defaults: Record<string, unknown>): VariableSpec[] {
  const specs: VariableSpec[] = [];
  const add = (name: string, required: boolean, description?: string) => {
    const spec: VariableSpec = { name, required };
    if (description) spec.description = description;
    if (Object.hasOwn(defaults, name)) spec.default = defaults[name];
    specs.push(spec);
  };
  if (isRecord(schema) && schema.type === 'object' && isRecord(schema.properties)) {
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const [name, property] of Object.entries(schema.properties)) {
      const description = isRecord(property) ? property.description : undefined;
      add(name, required.includes(name), typeof description === 'string' ? description : undefined);
    }
  } else if (isRecord(schema) && typeof schema.type !== 'string') {
    for (const [key, value] of Object.entries(schema)) {
      const field = /^([^?(]+)(\?)?(?:\(([^)]*)\))?$/.exec(key.trim());
      if (!field?.[1] || field[1] === '*') continue;
      // `name(array, description)` describes in the key; `name: type, description` in the value.
      const [, ...described] =
        field[3] !== undefined ? field[3].split(',') : String(value).split(',');
      const description =
        typeof value === 'string' || field[3] !== undefined ? described.join(',') : '';
      add(field[1].trim(), field[2] !== '?', description.trim() || undefined);
    }
  }
  for (const name of Object.keys(defaults)) {
    if (!specs.some((spec) => spec.name === name)) {
      specs.push({ name, required: false, default: defaults[name] });
    }
  }
  return specs;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface PromptFileSource {
  name: string;
  description: string | null;
  tags: string[];
  category: string | null;
  version: Pick<
    PromptVersionRecord,
    'body' | 'system' | 'variables' | 'model' | 'parameters' | 'metadata' | 'message'
  >;
}

/**
 * The `.prompt` text of a version. A version with nothing to say but its name (a partial
 * imported from `_name.prompt`, a plain template) is its body alone, as Dotprompt writes it.
 */
export function formatPromptFile(prompt: PromptFileSource): string {
  const { version } = prompt;
  const { [PARTIAL_KEY]: _partial, variant, input, ...rest } = version.metadata;
  const front: Record<string, unknown> = {};
  const variantName = typeof variant === 'string' && prompt.name.endsWith(`.${variant}`);
  front.name = variantName ? prompt.name.slice(0, -(String(variant).length + 1)) : prompt.name;
  if (variant !== undefined) front.variant = variant;
  if (prompt.description) front.description = prompt.description;
  if (version.model) front.model = version.model;
  const config: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(CONFIG_COLUMNS)) {
    const setting = version.parameters[column];
    if (setting !== undefined) config[key] = setting;
  }
  Object.assign(config, version.parameters.extra);
  if (Object.keys(config).length > 0) front.config = config;
  const inputField = inputOf(version.variables, input as Record<string, unknown> | undefined);
  if (inputField) front.input = inputField;
  Object.assign(front, rest);
  if (prompt.tags.length > 0) front[`${NS}.tags`] = prompt.tags;
  if (prompt.category) front[`${NS}.category`] = prompt.category;
  if (version.message) front[`${NS}.message`] = version.message;
  const body =
    version.system !== null
      ? `{{role "system" ~}}\n${version.system}\n{{~role "user" ~}}\n${version.body}`
      : version.body;
  // Nothing to say but the name, which Dotprompt takes from the file's name: the body alone,
  // exactly (unless it would read as front matter itself).
  const onlyName = Object.keys(front).length === 1 && version.system === null;
  if (onlyName && !FRONT_MATTER.test(body.replace(/\r\n/g, '\n'))) return body;
  return `---\n${stringify(front, { lineWidth: 0 })}---\n${body}${body.endsWith('\n') ? '' : '\n'}`;
}

/**
 * `input`: the schema as written and the defaults. A prompt without a written schema whose
 * variables carry descriptions gets one that says only that (every type `any`), so that
 * no input a template accepts is refused by a reader that checks the schema.
 */
function inputOf(variables: VariableSpec[], written: Record<string, unknown> | undefined) {
  const defaults: Record<string, unknown> = {};
  for (const spec of variables) if (spec.default !== undefined) defaults[spec.name] = spec.default;
  const input: Record<string, unknown> = { ...written };
  if (written?.schema === undefined && variables.some((spec) => spec.description)) {
    const schema: Record<string, string> = {};
    for (const spec of variables) {
      const key = spec.required ? spec.name : `${spec.name}?`;
      schema[key] = spec.description ? `any, ${spec.description}` : 'any';
    }
    input.schema = schema;
  }
  if (Object.keys(defaults).length > 0) input.default = defaults;
  return Object.keys(input).length > 0 ? input : undefined;
}
