// The tools a coding agent calls: few, since each tool's schema costs the agent's context.
// Schemas come from zod; annotations say truthfully what each tool does. A failure is a tool
// result with `isError` and the line the CLI would print.
import { AppError } from '../core/errors.js';
import * as z from '../core/zod.js';
import { issueReason } from '../core/zod-issue.js';
import type { Services } from '../services/index.js';
import type { PromptScope } from '../services/prompt-service.js';

const args = z.optional(z.record(z.string(), z.unknown()));
const schemas = {
  render_prompt: z.object({
    name: z.string().check(z.minLength(1)),
    arguments: args,
  }),
  run_prompt: z.object({
    name: z.string().check(z.minLength(1)),
    arguments: args,
    model: z.optional(z.string().check(z.minLength(1))),
  }),
  search_history: z.object({
    query: z.string().check(z.minLength(1)),
    limit: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  }),
};
type ToolName = keyof typeof schemas;

const descriptions: Record<ToolName, string> = {
  render_prompt:
    'Render a prompt of the library with arguments; returns the messages it would send. Calls no model.',
  run_prompt:
    'Run a prompt of the library against its model; returns the answer and the id of the recorded call.',
  search_history: 'Full-text search over every recorded model call (prompts and answers).',
};

const annotations: Record<ToolName, Record<string, boolean>> = {
  render_prompt: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
  run_prompt: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  search_history: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
};

export function toolList() {
  return (Object.keys(schemas) as ToolName[]).map((name) => {
    const { $schema: _meta, ...inputSchema } = z.toJSONSchema(schemas[name]) as Record<
      string,
      unknown
    >;
    return { name, description: descriptions[name], inputSchema, annotations: annotations[name] };
  });
}

export interface ToolResult {
  content: { type: 'text'; text: string }[];
  isError?: boolean;
  [key: string]: unknown;
}

const text = (value: unknown): ToolResult => ({
  content: [
    { type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) },
  ],
});

function failure(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

export async function callTool(
  services: Services,
  scope: PromptScope,
  name: string,
  input: unknown,
  signal: AbortSignal,
): Promise<ToolResult> {
  if (!Object.hasOwn(schemas, name)) return failure(`Unknown tool "${name}"`);
  const parsed = schemas[name as ToolName].safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.join('.') || '(input)';
    return failure(`Invalid ${name} input at ${at}: ${issue ? issueReason(issue) : 'invalid'}`);
  }
  try {
    return await run(services, scope, name as ToolName, parsed.data, signal);
  } catch (error) {
    if (error instanceof AppError) return failure(error.message);
    throw error;
  }
}

async function run(
  services: Services,
  scope: PromptScope,
  name: ToolName,
  input: Record<string, unknown>,
  signal: AbortSignal,
): Promise<ToolResult> {
  const variables = (input.arguments ?? {}) as Record<string, unknown>;
  switch (name) {
    case 'render_prompt': {
      const prompts = await services.prompts();
      const rendered = await prompts.render(scope, input.name as string, variables);
      return text({ name: rendered.name, version: rendered.version, messages: rendered.messages });
    }
    case 'run_prompt': {
      const runs = await services.runs();
      const model = input.model as string | undefined;
      const call = await runs.prepare(scope, input.name as string, variables, {
        flags: model ? { model } : {},
      });
      const result = await runs.execute(call, { signal });
      return text({
        output: result.output,
        ...(result.data !== undefined ? { data: result.data } : {}),
        executionId: result.executionId,
        model: result.model,
        costUsd: result.costUsd,
      });
    }
    case 'search_history': {
      const executions = await services.executions();
      return text(await executions.search(input.query as string, (input.limit as number) ?? 20));
    }
  }
}
