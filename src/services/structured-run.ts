// Structured output: a prompt whose `output.format` is json (or that gives `output.schema`)
// asks the server for JSON that follows the schema, parses and validates the answer, and asks
// once more with the errors when it does not follow it. An answer that fails twice fails the
// call with the errors; both answers stay recorded as executions.
import { AppError, ValidationError } from '../core/errors.js';
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

export class StructuredOutputError extends AppError {
  constructor(
    readonly errors: string[],
    readonly executionId: string,
  ) {
    super(
      `The answer does not follow the output schema, also when asked again: ${errors.join('; ')}`,
      {
        code: 'INVALID_OUTPUT',
        exitCode: 1,
        hint: `see \`prompt-runner execution show ${executionId.slice(0, 8)}\``,
      },
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
  const first = await run(call, cacheable);
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
  throw new StructuredOutputError(rechecked.errors, again.executionId);
}
