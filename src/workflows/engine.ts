// Runs a validated workflow as a DAG: a step starts once every step it depends on has
// succeeded, independent steps run in parallel up to `concurrency`, a failed step is retried
// as configured, and a failure stops new steps from starting while running ones finish.
// States are reported as they change through `store`, so a run can be followed and resumed.
import { AppError } from '../core/errors.js';
import { CancelledError } from '../core/model-client/errors.js';
import type { StepStatus } from '../db/repositories/workflow-repository.js';
import { executionOf } from './errors.js';
import type { WorkflowStep } from './schema.js';
import type { ValidatedWorkflow } from './validate.js';

export interface StepResult {
  /** Text, or the parsed value of a json step. */
  output: unknown;
  executionId: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

export interface StepContext {
  inputs: Record<string, unknown>;
  steps: Record<string, { output: unknown }>;
}

export interface StepEvent {
  stepId: string;
  status: StepStatus;
  attempt: number;
  error?: string;
  result?: StepResult;
  /** A failed or cancelled attempt's call, when one was made (its execution row). */
  executionId?: string | null;
  /** Set when a failed attempt will be tried again. */
  retryInMs?: number;
}

export interface EngineOptions {
  workflow: ValidatedWorkflow;
  inputs: Record<string, unknown>;
  /** Outputs of steps that already succeeded (a resumed run): they are not run again. */
  completed?: Map<string, unknown>;
  concurrency: number;
  signal?: AbortSignal;
  /** Runs one attempt of a step. */
  runStep(step: WorkflowStep, context: StepContext, attempt: number): Promise<StepResult>;
  /** Told of every state change, in order, before the engine goes on. */
  onEvent(event: StepEvent): Promise<void> | void;
}

export interface EngineResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  outputs: Map<string, unknown>;
  /** The first failure, named. */
  error: string | null;
}

export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { workflow, signal } = options;
  const steps = new Map(workflow.file.steps.map((step) => [step.id, step]));
  const outputs = new Map<string, unknown>(options.completed ?? []);
  const waiting = new Set(workflow.order.filter((id) => !outputs.has(id)));
  const running = new Map<string, Promise<void>>();
  let failure: string | null = null;

  const context = (): StepContext => ({
    inputs: options.inputs,
    steps: Object.fromEntries([...outputs].map(([id, output]) => [id, { output }])),
  });

  const attemptStep = async (step: WorkflowStep) => {
    const attempts = step.retry?.attempts ?? 1;
    const cancelled = (attempt: number, executionId: string | null = null) =>
      options.onEvent({
        stepId: step.id,
        status: 'cancelled',
        attempt,
        error: 'cancelled',
        executionId,
      });
    for (let attempt = 1; ; attempt++) {
      await options.onEvent({ stepId: step.id, status: 'running', attempt });
      try {
        const result = await options.runStep(step, context(), attempt);
        outputs.set(step.id, result.output);
        await options.onEvent({ stepId: step.id, status: 'succeeded', attempt, result });
        return;
      } catch (error) {
        const executionId = executionOf(error);
        if (error instanceof CancelledError || signal?.aborted) {
          return cancelled(attempt, executionId);
        }
        if (!(error instanceof AppError)) throw error;
        // A step refused before its call (the endpoint is unreachable) is not run, not retried.
        if (error.code === 'UNREACHABLE') {
          failure ??= error.message;
          return options.onEvent({ stepId: step.id, status: 'skipped', attempt: 0 });
        }
        if (attempt < attempts) {
          const retryInMs = (step.retry?.backoffMs ?? 1000) * 2 ** (attempt - 1);
          await options.onEvent({
            stepId: step.id,
            status: 'running',
            attempt,
            error: error.message,
            executionId,
            retryInMs,
          });
          await delay(retryInMs, signal);
          if (signal?.aborted) return cancelled(attempt);
          continue;
        }
        failure ??= `step "${step.id}" failed: ${error.message}`;
        await options.onEvent({
          stepId: step.id,
          status: 'failed',
          attempt,
          error: error.message,
          executionId,
        });
        return;
      }
    }
  };

  const ready = () =>
    [...waiting].filter((id) =>
      [...(workflow.dependencies.get(id) ?? [])].every((d) => outputs.has(d)),
    );

  for (;;) {
    if (!failure && !signal?.aborted) {
      for (const id of ready()) {
        if (running.size >= options.concurrency) break;
        const step = steps.get(id);
        if (!step) continue;
        waiting.delete(id);
        running.set(
          id,
          attemptStep(step).finally(() => running.delete(id)),
        );
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  if (signal?.aborted) return { status: 'cancelled', outputs, error: 'cancelled' };
  // Steps still waiting with nothing running and no failure could never start: the run did
  // not do its work, so it must not pass for a success.
  if (!failure && waiting.size > 0) {
    failure = `${waiting.size} step${waiting.size === 1 ? '' : 's'} could not start: ${[...waiting].join(', ')}`;
  }
  if (failure) {
    for (const id of waiting) await options.onEvent({ stepId: id, status: 'skipped', attempt: 0 });
    return { status: 'failed', outputs, error: failure };
  }
  return { status: 'succeeded', outputs, error: null };
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
