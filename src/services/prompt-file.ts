// The `.prompt` file: YAML front matter and a Handlebars body, with Dotprompt's field names
// where they exist (`model`, `config`, `input.schema` in Picoschema, `input.default`), so
// Dotprompt tools can read the files. prompt-runner's own fields are namespaced
// (`prompt-runner.tags`); a system text is written with Dotprompt's `{{role}}` markers.
import { parseDocument, stringify } from 'yaml';
import { ValidationError } from '../core/errors.js';
import { describeYamlError, yamlValue } from '../core/yaml-error.js';
import * as z from '../core/zod.js';
import { issueReason } from '../core/zod-issue.js';
import type {
  PromptParameters,
  PromptVersionRecord,
  VariableSpec,
} from '../db/repositories/prompt-repository.js';

export const PROMPT_FILE_EXTENSION = '.prompt';
const NS = 'prompt-runner';

export interface PromptFileData {
  name?: string;
  description?: string;
  model?: string;
  parameters: PromptParameters;
  /** Variables declared in `input.schema`, in file order, with `input.default` merged in. */
  variables: VariableSpec[];
  tags?: string[];
  category?: string;
  message?: string;
  system?: string;
  body: string;
}

const number = z.number();
const frontMatterSchema = z.object({
  name: z.optional(z.string()),
  description: z.optional(z.string()),
  model: z.optional(z.string()),
  config: z.optional(
    z.object({
      temperature: z.optional(number.check(z.minimum(0), z.maximum(2))),
      maxOutputTokens: z.optional(z.int().check(z.positive())),
      topP: z.optional(number.check(z.minimum(0), z.maximum(1))),
      stopSequences: z.optional(z.array(z.string())),
      seed: z.optional(z.int()),
    }),
  ),
  input: z.optional(
    z.object({
      schema: z.optional(z.record(z.string(), z.unknown())),
      default: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
  [`${NS}.tags`]: z.optional(z.array(z.string())),
  [`${NS}.category`]: z.optional(z.string()),
  [`${NS}.message`]: z.optional(z.string()),
});

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;
const ROLES = /^\{\{role "system"\}\}\n([\s\S]*?)\n\{\{role "user"\}\}\n([\s\S]*)$/;

export function parsePromptFile(text: string, fileName: string): PromptFileData {
  const match = FRONT_MATTER.exec(text);
  const yamlText = match?.[1] ?? '';
  // The file's last newline ends the file, not the body.
  let body = (match ? text.slice(match[0].length) : text).replace(/\r?\n$/, '');
  const document = parseDocument(yamlText);
  const yamlError = document.errors[0];
  if (yamlError) {
    throw new ValidationError(
      `${fileName}: front matter is not valid YAML at ${describeYamlError(yamlError)}`,
    );
  }
  const parsed = frontMatterSchema.safeParse(
    yamlValue(document, `${fileName}: front matter`) ?? {},
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(front matter)';
    const reason = issue ? issueReason(issue) : 'invalid';
    throw new ValidationError(`${fileName}: invalid front matter at ${path}: ${reason}`);
  }
  const front = parsed.data;
  let system: string | undefined;
  const roles = ROLES.exec(body);
  if (roles) {
    system = roles[1];
    body = roles[2] ?? '';
  }
  const config = front.config ?? {};
  const parameters: PromptParameters = {};
  if (config.temperature !== undefined) parameters.temperature = config.temperature;
  if (config.maxOutputTokens !== undefined) parameters.maxTokens = config.maxOutputTokens;
  if (config.topP !== undefined) parameters.topP = config.topP;
  if (config.stopSequences !== undefined) parameters.stop = config.stopSequences;
  if (config.seed !== undefined) parameters.seed = config.seed;
  return {
    name: front.name,
    description: front.description,
    model: front.model,
    parameters,
    variables: readSchema(front.input?.schema ?? {}, front.input?.default ?? {}, fileName),
    tags: front[`${NS}.tags`] as string[] | undefined,
    category: front[`${NS}.category`] as string | undefined,
    message: front[`${NS}.message`] as string | undefined,
    system,
    body,
  };
}

/** Picoschema: `name: type, description`, `name?: type` for optional ones. */
function readSchema(
  schema: Record<string, unknown>,
  defaults: Record<string, unknown>,
  fileName: string,
): VariableSpec[] {
  const specs = Object.entries(schema).map(([key, value]): VariableSpec => {
    const optional = key.endsWith('?');
    const name = optional ? key.slice(0, -1) : key;
    const spec: VariableSpec = { name, required: !optional };
    if (typeof value === 'string') {
      const comma = value.indexOf(',');
      if (comma >= 0) spec.description = value.slice(comma + 1).trim();
    } else if (value !== null && typeof value !== 'object') {
      throw new ValidationError(`${fileName}: invalid front matter at input.schema.${key}`);
    }
    if (Object.hasOwn(defaults, name)) spec.default = defaults[name];
    return spec;
  });
  for (const name of Object.keys(defaults)) {
    if (!specs.some((spec) => spec.name === name)) {
      specs.push({ name, required: false, default: defaults[name] });
    }
  }
  return specs;
}

export interface PromptFileSource {
  name: string;
  description: string | null;
  tags: string[];
  category: string | null;
  version: Pick<
    PromptVersionRecord,
    'body' | 'system' | 'variables' | 'model' | 'parameters' | 'message'
  >;
}

export function formatPromptFile(prompt: PromptFileSource): string {
  const { version } = prompt;
  const front: Record<string, unknown> = { name: prompt.name };
  if (prompt.description) front.description = prompt.description;
  if (version.model) front.model = version.model;
  const config: Record<string, unknown> = {};
  const p = version.parameters;
  if (p.temperature !== undefined) config.temperature = p.temperature;
  if (p.maxTokens !== undefined) config.maxOutputTokens = p.maxTokens;
  if (p.topP !== undefined) config.topP = p.topP;
  if (p.stop !== undefined) config.stopSequences = p.stop;
  if (p.seed !== undefined) config.seed = p.seed;
  if (Object.keys(config).length > 0) front.config = config;
  if (version.variables.length > 0) {
    const schema: Record<string, string> = {};
    const defaults: Record<string, unknown> = {};
    for (const spec of version.variables) {
      const type =
        spec.default === undefined || typeof spec.default === 'string' ? 'string' : 'any';
      const key = spec.required ? spec.name : `${spec.name}?`;
      schema[key] = spec.description ? `${type}, ${spec.description}` : type;
      if (spec.default !== undefined) defaults[spec.name] = spec.default;
    }
    front.input = Object.keys(defaults).length > 0 ? { schema, default: defaults } : { schema };
  }
  if (prompt.tags.length > 0) front[`${NS}.tags`] = prompt.tags;
  if (prompt.category) front[`${NS}.category`] = prompt.category;
  if (version.message) front[`${NS}.message`] = version.message;
  const body =
    version.system !== null
      ? `{{role "system"}}\n${version.system}\n{{role "user"}}\n${version.body}`
      : version.body;
  return `---\n${stringify(front, { lineWidth: 0 })}---\n${body}\n`;
}
