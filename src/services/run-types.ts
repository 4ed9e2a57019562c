// What running prompts takes and gives: results (a failed batch line's too), prepared calls.
import { type AppError, type ErrorJson, errorJson } from '../core/errors.js';
import { CancelledError, ModelCallError } from '../core/model-client/errors.js';
import type { ChatMessage } from '../core/model-client/types.js';
import type { VariableSpec } from '../db/repositories/prompt-repository.js';
import type { ResolvedSettings } from './model-settings.js';
import type { PromptScope } from './prompt-service.js';
import type { RenderExtras } from './prompt-template.js';
import type { RecordWriter } from './record-writer.js';
import type { OutputSpec } from './structured-run.js';

export interface RunResult {
  executionId: string;
  output: string;
  model: string;
  status: 'success';
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  latencyMs: number;
  cached: boolean;
}

/** A rendered prompt with the settings of its call: what `--dry-run` shows. */
export interface PreparedCall {
  scope: PromptScope;
  promptVersionId: number | null;
  rendered: {
    system: string | null;
    /** The messages as sent (media read into data URLs). */
    messages: ChatMessage[];
    variables: Record<string, unknown>;
  };
  settings: ResolvedSettings;
  /** Set when the answer must be JSON (following a schema). */
  output?: OutputSpec;
  /** The workflow step or orchestration phase the call belongs to. */
  links?: CallLinks;
}

export interface CallLinks {
  workflowRunId?: string;
  stepId?: string;
  sessionId?: string;
  phase?: string;
  optimizationId?: string;
}

export interface ExecuteOptions {
  stream?: boolean;
  onToken?: (text: string) => void;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Where the records go; by default they are written before `execute` returns. */
  writer?: RecordWriter;
  /** Whether a fresh answer may be cached (a caller that will reject it says no). */
  cacheable?: (text: string) => Promise<boolean>;
  /** A spending limit every call to the model goes through (answers from the cache do not). */
  budget?: CallBudget;
}

/** Takes a call's worst case before it is made (or throws to stop it); settled after. */
export interface CallBudget {
  reserve(call: PreparedCall): Promise<{
    /** The call answered, at this cost (null: unknown). */
    settle(costUsd: number | null): void;
    /** The call failed: its cost is unknown, and the failure is counted. */
    fail(reason: string): void;
  }>;
  /** A limit was reached, or a call failed: nothing more should start. */
  readonly stopped: boolean;
}

export interface BatchCase {
  line: number;
  variables?: Record<string, unknown>;
  /** Why the line could not be read, if it could not. */
  error?: string;
}

/** A call that failed, in the shape of one that succeeded (the call's fields empty). */
export interface FailedRun {
  error: ErrorJson;
  executionId: string | null;
  output: null;
  model: string | null;
  status: 'error' | 'cancelled' | 'not_run';
  inputTokens: null;
  outputTokens: null;
  costUsd: null;
  latencyMs: null;
  cached: false;
}

export type BatchResult =
  | ({ line: number; error: null } & RunResult)
  | ({ line: number } & FailedRun);

/** Renders a call per set of variables; knows the variables its prompt version declares. */
export type Preparer = ((
  variables: Record<string, unknown>,
  extras?: RenderExtras,
) => PreparedCall) & {
  variables: VariableSpec[];
  /** The settings every call it prepares has. */
  settings: ResolvedSettings;
};

interface FailureDetails {
  executionId?: string | null;
  model?: string | null;
  cancelled?: boolean;
  /** The call was never started (the run stopped first). */
  notRun?: boolean;
}

export function failedRun(
  error: AppError,
  { executionId = null, model = null, cancelled = false, notRun = false }: FailureDetails = {},
): FailedRun {
  return {
    error: errorJson(error),
    executionId,
    output: null,
    model,
    status: notRun ? 'not_run' : cancelled ? 'cancelled' : 'error',
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    latencyMs: null,
    cached: false,
  };
}

/** A batch line that failed. */
export function failedCase(line: number, error: AppError, details?: FailureDetails): BatchResult {
  return { line, ...failedRun(error, details) };
}

/** The failed run a call's error stands for, if the call was made (and recorded). */
export function failedRunOf(error: unknown, model: string): FailedRun | undefined {
  if (!(error instanceof ModelCallError || error instanceof CancelledError)) return undefined;
  return failedRun(error, {
    executionId: error.details.executionId ?? null,
    model,
    cancelled: error instanceof CancelledError,
  });
}
