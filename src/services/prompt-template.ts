// A prompt version (stored, or read from a `.prompt` file) compiled once and rendered into
// messages many times: defaults first, then the input schema's checks, then the strict
// variables, then the template with its context data and history.
import { ValidationError } from '../core/errors.js';
import { assertVariables, checkedSources, compileTemplate } from '../core/templating/engine.js';
import { markers, type PromptMessage, textOf, toMessages } from '../core/templating/messages.js';
import type { PromptMetadata, VariableSpec } from '../db/repositories/prompt-repository.js';
import { withDefaults } from './prompt-variables.js';

export interface PromptTemplateSource {
  name: string;
  body: string;
  /** A system text kept apart (prompts made with `--system`): the first message. */
  system: string | null;
  variables: VariableSpec[];
  metadata: PromptMetadata;
  /** Bodies of the partials the templates include, by name. */
  partials?: Record<string, string>;
}

/** What a render gets besides its variables. */
export interface RenderExtras {
  /** Earlier turns: placed at `{{history}}`, else before the last user message. */
  history?: PromptMessage[];
  /** Context data, read in templates as `@state`, `@auth`, … */
  context?: Record<string, unknown>;
}

export interface RenderedMessages {
  messages: PromptMessage[];
  /** The text of the first system message, or null. */
  system: string | null;
  /** The text of the last user message ('' when there is none). */
  user: string;
  variables: Record<string, unknown>;
}

export type MessagesRenderer = (
  variables: Record<string, unknown>,
  extras?: RenderExtras,
) => RenderedMessages;

/** The `input.schema` and `output.schema` of a version as JSON Schema (null when absent). */
export async function schemasOf(metadata: PromptMetadata) {
  const input = (metadata.input as { schema?: unknown } | undefined)?.schema;
  const output = (metadata.output as { schema?: unknown } | undefined)?.schema;
  if (input === undefined && output === undefined) return { input: null, output: null };
  // Loaded only for prompts with schemas: Picoschema and the validator are large.
  const { toJsonSchema } = await import('./structured-output.js');
  return {
    input: input === undefined ? null : await toJsonSchema(input),
    output: output === undefined ? null : await toJsonSchema(output),
  };
}

/** `@` names the template engine sets: context data cannot replace them. */
const RESERVED = new Set(['root', 'index', 'key', 'first', 'last', 'metadata', 'partial-block']);

export async function compilePrompt(source: PromptTemplateSource): Promise<MessagesRenderer> {
  const partials = source.partials ?? {};
  const templates = checkedSources(
    source.system === null ? [source.body] : [source.body, source.system],
    partials,
  );
  const renderBody = compileTemplate(source.body, { partials, templateName: source.name });
  const renderSystem =
    source.system === null
      ? null
      : compileTemplate(source.system, { partials, templateName: 'system' });
  // A scalar input schema (`schema: string`) describes no variables to check.
  const declared = (await schemasOf(source.metadata)).input;
  const input = declared?.type === 'object' ? declared : null;
  const inputs = input ? await import('./input-schema.js') : null;
  const metadata = { prompt: { name: source.name, ...source.metadata } };
  return (variables, extras = {}) => {
    let values = withDefaults(source.variables, variables);
    if (input && inputs) {
      values = inputs.coerceInputs(input, values);
      inputs.validateInputs(input, values, { name: source.name });
      // An input the schema makes optional renders as nothing when not given, as in Dotprompt.
      const required = new Set(Array.isArray(input.required) ? input.required : []);
      for (const name of Object.keys((input.properties as object | undefined) ?? {})) {
        if (!required.has(name) && !Object.hasOwn(values, name)) values[name] = undefined;
      }
    }
    // Name every missing variable of every template at once.
    assertVariables(templates, values);
    const reserved = Object.keys(extras.context ?? {}).filter((key) => RESERVED.has(key));
    if (reserved.length > 0) {
      throw new ValidationError(
        `Context data cannot set ${reserved.map((key) => `@${key}`).join(', ')}: Handlebars and Dotprompt set them`,
      );
    }
    const history = extras.history ?? [];
    const data = { ...extras.context, metadata: { ...metadata, messages: history } };
    const body = renderBody(values, data);
    const text = renderSystem
      ? `${markers.role('system')}${renderSystem(values, data)}${markers.role('user')}${body}`
      : body;
    const messages = toMessages(text, history);
    const system = messages.find((m) => m.role === 'system');
    const user = messages.findLast((m) => m.role === 'user' && m.metadata?.purpose !== 'history');
    return {
      messages,
      system: system ? textOf(system) : null,
      user: user ? textOf(user) : '',
      variables: values,
    };
  };
}
