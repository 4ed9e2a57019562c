// Structured output: a prompt whose `output.format` is json (or that gives `output.schema`)
// asks the server for JSON that follows the schema, parses and validates the answer, and asks
// once more with the errors when it does not follow it. An answer that fails twice fails the
// call with the errors; both answers stay recorded as executions.
import { ValidationError } from '../core/errors.js';
import { ModelCallError } from '../core/model-client/errors.js';
import type { CallParameters, ChatMessage, JsonSchemaFormat } from '../core/model-client/types.js';
import type { PromptMetadata } from '../db/repositories/prompt-repository.js';
import { schemasOf } from './prompt-template.js';
import type { PreparedCall, RunResult } from './run-types.js';

/** What a structured call expects: JSON, following `schema` when there is one. */
export interface OutputSpec {
  schema: Record<string, unknown> | null;
  /** The `json_schema` response format, when the schema can be one (an object at its root). */
  format: JsonSchemaFormat | null;
}

/** How the server is asked for JSON: a schema (`json_schema`) or any JSON object. */
export type JsonMode = 'json_schema' | 'json_object';

export type StructuredResult = RunResult & { data?: unknown };

/** The output a version asks for: null for text (the default). */
export async function outputSpecOf(metadata: PromptMetadata): Promise<OutputSpec | null> {
  const output = metadata.output as { format?: unknown; schema?: unknown } | undefined;
  if (!output) return null;
  const format = output.format ?? (output.schema === undefined ? 'text' : 'json');
  if (format === 'text') return null;
  if (format !== 'json') {
    throw new ValidationError(
      `output.format ${JSON.stringify(format)} is not supported: use json or text`,
      { code: 'UNSUPPORTED_OUTPUT' },
    );
  }
  const schema = (await schemasOf(metadata)).output;
  if (schema === null || schema.type !== 'object') return { schema, format: null };
  // Loaded only for structured calls: the validator is large.
  const { jsonSchemaFormat } = await import('./structured-output.js');
  return { schema, format: jsonSchemaFormat(schema) };
}

/** The request's `response_format` for a structured call. */
export function responseFormatOf(
  spec: OutputSpec,
  mode: JsonMode,
): CallParameters['responseFormat'] {
  return mode === 'json_object' || spec.format === null ? 'json' : spec.format;
}

/** The answer did not follow the schema twice: a failed call, its execution named. */
export class StructuredOutputError extends ModelCallError {
  constructor(
    readonly errors: string[],
    executionId: string,
    answer: string,
  ) {
    super(
      `The answer does not follow the output schema, also when asked again: ${errors.join('; ')}`,
      { attempts: 2, partialText: answer, executionId },
      `see \`prompt-runner execution show ${executionId.slice(0, 8)}\``,
      'INVALID_OUTPUT',
    );
    this.name = 'StructuredOutputError';
  }
}

/**
 * Runs a structured call: the answer parsed (`data`), or asked again once with the errors.
 * `run` makes one call; an answer that does not follow the schema is never cached.
 */
export async function runStructured(
  call: PreparedCall & { output: OutputSpec },
  run: (call: PreparedCall, cacheable: (text: string) => Promise<boolean>) => Promise<RunResult>,
): Promise<StructuredResult> {
  const { readStructuredAnswer, reaskMessage } = await import('./structured-output.js');
  const schema = call.output.schema ?? {};
  const cacheable = async (text: string) => readStructuredAnswer(text, schema).ok;
  const first = await run(call, cacheable).catch((error: unknown) => {
    throw withModeHint(error, call);
  });
  const checked = readStructuredAnswer(first.output, schema);
  if (checked.ok) return { ...first, data: checked.value };
  const messages: ChatMessage[] = [
    ...call.rendered.messages,
    { role: 'assistant', content: first.output },
    { role: 'user', content: reaskMessage(checked.errors) },
  ];
  const again = await run({ ...call, rendered: { ...call.rendered, messages } }, cacheable);
  const rechecked = readStructuredAnswer(again.output, schema);
  if (rechecked.ok) return { ...again, data: rechecked.value };
  throw new StructuredOutputError(rechecked.errors, again.executionId, again.output);
}

/** A 400 to a request with a JSON schema: say how to ask that server for a JSON object. */
function withModeHint(error: unknown, call: PreparedCall): unknown {
  const format = call.settings.parameters.responseFormat;
  if (!(error instanceof ModelCallError) || error.details.status !== 400) return error;
  if (typeof format !== 'object') return error;
  const modes = JSON.stringify({ [call.settings.baseUrlHost]: 'json_object' });
  const hint = `if the server refuses JSON schemas: prompt-runner config set structuredOutput '${modes}'`;
  return new ModelCallError(
    error.message,
    error.details,
    error.hint ? `${hint}; ${error.hint}` : hint,
  );
}

/**
 * The schema in words, for a server asked for any JSON object: the model is told the shape
 * the answer must have (as Genkit does when a model cannot be constrained).
 */
export function withSchemaInstruction(
  messages: ChatMessage[],
  schema: Record<string, unknown>,
): ChatMessage[] {
  const instruction = `Output should be in JSON format and conform to the following schema:\n\n\`\`\`\n${JSON.stringify(schema)}\n\`\`\`\n`;
  const last = messages.findLastIndex((message) => message.role === 'user');
  if (last < 0) return [...messages, { role: 'user', content: instruction }];
  return messages.map((message, index) => {
    if (index !== last) return message;
    const { content } = message;
    return typeof content === 'string'
      ? { ...message, content: `${content}\n\n${instruction}` }
      : { ...message, content: [...content, { type: 'text', text: `\n\n${instruction}` }] };
  });
}
