// The tools a coding agent calls: few, since each tool's schema costs the agent's context.
// Schemas come from zod; annotations say truthfully what each tool does. A failure is a tool
// result with `isError` and the line the CLI would print.
import { toSessionJson } from '../commands/orchestrate/render.js';
import { AppError, ValidationError } from '../core/errors.js';
import * as z from '../core/zod.js';
import { issueReason } from '../core/zod-issue.js';
import type { SessionRecord } from '../db/repositories/orchestration-repository.js';
import type { Services } from '../services/index.js';
import type { PromptScope } from '../services/prompt-service.js';
import { servedReference } from './prompts.js';
import { sessionOf } from './resources.js';

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
  plan_feature: z.object({
    feature: z.optional(z.string().check(z.minLength(1))),
    session: z.optional(z.string().check(z.minLength(4))),
    phase: z.optional(z.enum(['plan', 'analyze', 'implement'])),
    model: z.optional(z.string().check(z.minLength(1))),
  }),
  get_session: z.object({ session: z.string().check(z.minLength(4)) }),
};
type ToolName = keyof typeof schemas;

const descriptions: Record<ToolName, string> = {
  render_prompt:
    'Render a prompt of the library with arguments; returns the messages it would send. Calls no model.',
  run_prompt:
    'Run a prompt of the library against its model; returns the answer and the id of the recorded call.',
  search_history: 'Full-text search over every recorded model call (prompts and answers).',
  plan_feature:
    "Plan a feature in the project's code: plan → analyze (finds and reads the files it touches) → implement, or carry on a session, or run one phase of it. Returns the session id and the plan.",
  get_session: 'A planning session: its status, analysis and plan.',
};

const annotations: Record<ToolName, Record<string, boolean>> = {
  render_prompt: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
  run_prompt: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  search_history: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
  // Running a phase again replaces what the session held from it on.
  plan_feature: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  get_session: { readOnlyHint: true, openWorldHint: false, idempotentHint: true },
};

/** Tells the client how far a long tool call is (MCP progress notifications). */
export type Progress = (done: number, total: number, message: string) => Promise<void>;

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

export interface ToolContext {
  services: Services;
  scope: PromptScope;
  /** The label a server serves prompts at, if any. */
  label?: string;
  signal: AbortSignal;
  progress?: Progress;
  log: (line: string) => void;
}

export async function callTool(
  context: ToolContext,
  name: string,
  input: unknown,
): Promise<ToolResult> {
  if (!Object.hasOwn(schemas, name)) return failure(`Unknown tool "${name}"`);
  const parsed = schemas[name as ToolName].safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.join('.') || '(input)';
    return failure(`Invalid ${name} input at ${at}: ${issue ? issueReason(issue) : 'invalid'}`);
  }
  try {
    return await run(context, name as ToolName, parsed.data);
  } catch (error) {
    if (error instanceof AppError) {
      return failure(error.hint ? `${error.message} (${error.hint})` : error.message);
    }
    // A failure that is not the input's: still a tool result, and its stack in the log.
    context.log(`mcp: ${name}: ${(error as Error).stack ?? String(error)}`);
    return failure(`${(error as Error).message} (this is a bug in prompt-runner)`);
  }
}

async function run(
  context: ToolContext,
  name: ToolName,
  input: Record<string, unknown>,
): Promise<ToolResult> {
  const { services, scope, signal } = context;
  const progress = context.progress ?? (async () => {});
  const prompt = () => servedReference(input.name as string, context.label);
  const variables = (input.arguments ?? {}) as Record<string, unknown>;
  switch (name) {
    case 'render_prompt': {
      const prompts = await services.prompts();
      const rendered = await prompts.render(scope, prompt(), variables);
      return text({ name: rendered.name, version: rendered.version, messages: rendered.messages });
    }
    case 'run_prompt': {
      const runs = await services.runs();
      const model = input.model as string | undefined;
      const call = await runs.prepare(scope, prompt(), variables, {
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
    case 'plan_feature': {
      const session = await planFeature(context, input, { signal, progress });
      return text({
        sessionId: session.sessionId,
        status: session.status,
        plan: session.implementationResult,
      });
    }
    case 'get_session':
      return text(toSessionJson(await sessionOf(services, scope, input.session as string)));
  }
}

const PHASES = ['plan', 'analyze', 'implement'] as const;

async function planFeature(
  { services, scope }: ToolContext,
  input: Record<string, unknown>,
  { signal, progress }: { signal: AbortSignal; progress: Progress },
): Promise<SessionRecord> {
  const feature = input.feature as string | undefined;
  const id = input.session as string | undefined;
  if ((feature === undefined) === (id === undefined)) {
    throw new ValidationError('Give a feature to plan, or a session to carry on (not both)');
  }
  if (input.phase && !id) throw new ValidationError('A phase is run on a session: give it');
  const orchestration = await services.orchestration();
  const project = scope.project;
  if (!project) throw new ValidationError('Planning needs a project: start the server with -p');
  if (id) await sessionOf(services, scope, id);
  // The analysis reads the project's code: checked before the plan's call is paid for.
  if (!project.rootPath) {
    throw new ValidationError(`Project "${project.name}" has no root directory`, {
      hint: `prompt-runner project update ${project.name} --root <dir>`,
    });
  }
  const options = {
    flags: input.model ? { model: input.model as string } : {},
    signal,
    // A phase asked for by name is run again even when the session is past it.
    force: Boolean(input.phase),
    onPhase: (phase: (typeof PHASES)[number]) => {
      void progress(PHASES.indexOf(phase), PHASES.length, `${phase}…`);
    },
  };
  const phase = input.phase as (typeof PHASES)[number] | undefined;
  if (phase === 'plan') return orchestration.plan(project, { session: id }, options);
  if (phase === 'analyze') return (await orchestration.analyze(id as string, options)).session;
  if (phase === 'implement') return (await orchestration.implement(id as string, options)).session;
  const { runOrchestration } = await import('../services/orchestration-run.js');
  const { session } = await runOrchestration(
    orchestration,
    project,
    { featureRequest: feature, session: id },
    options,
  );
  // Sent before the result: a client stops listening for progress once the result arrives.
  await progress(PHASES.length, PHASES.length, 'done');
  return session;
}
