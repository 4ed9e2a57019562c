// One attempt of a workflow step: its template (or stored prompt) rendered with the inputs
// and earlier outputs, sent as a call linked to the run and step, its output parsed.
import { AppError, reasonOf, ValidationError } from '../core/errors.js';
import { compileTemplate } from '../core/templating/engine.js';
import type { PromptMessage } from '../core/templating/messages.js';
import { parseHistory } from '../services/chat-history.js';
import type { RunFlags } from '../services/model-settings.js';
import type { PromptScope } from '../services/prompt-service.js';
import type { RecordWriter } from '../services/record-writer.js';
import type { RunService } from '../services/run-service.js';
import type { PreparedCall } from '../services/run-types.js';
import type { StepContext, StepResult } from './engine.js';
import { StepOutputError } from './errors.js';
import { parseJsonOutput } from './json-output.js';
import { parametersOf, templateContext } from './run-helpers.js';
import type { WorkflowFile, WorkflowStep } from './schema.js';

export interface StepCall {
  runs: RunService;
  runId: string;
  scope: PromptScope;
  file: WorkflowFile;
  flags?: RunFlags;
  signal?: AbortSignal;
  writer: RecordWriter;
}

export interface StepAttempt {
  /** From 1. */
  attempt: number;
  /** The step failed in an earlier run of a resumed run. */
  failedBefore?: boolean;
}

export async function runWorkflowStep(
  { runs, runId, scope, file, flags = {}, signal, writer }: StepCall,
  step: WorkflowStep,
  context: StepContext,
  { attempt, failedBefore = false }: StepAttempt,
): Promise<StepResult> {
  const values = templateContext(context);
  const links = { workflowRunId: runId, stepId: step.id };
  const parameters = { ...parametersOf(file), ...parametersOf(step) };
  let call: PreparedCall;
  if (step.template !== undefined) {
    call = runs.prepareText(
      scope,
      {
        system: step.system === undefined ? null : compileTemplate(step.system)(values),
        user: compileTemplate(step.template)(values),
        variables: { inputs: context.inputs },
      },
      { model: step.model ?? file.model ?? null, parameters },
      { flags, links },
    );
  } else {
    const vars = Object.fromEntries(
      Object.entries(step.vars ?? {}).map(([name, source]) => [
        name,
        compileTemplate(source)(values),
      ]),
    );
    // A step's (or the workflow's) model wins over the stored prompt's own.
    const prepare = await runs.preparer(scope, step.prompt as string, {
      flags: { ...flags, model: flags.model ?? step.model ?? file.model },
      links,
    });
    const history = step.history === undefined ? undefined : historyOf(step.history, values);
    call = prepare({ ...context.inputs, ...vars, ...values }, history ? { history } : undefined);
  }
  // A retry or a resume follows an answer that failed: the cache would give it back.
  if (attempt > 1 || failedBefore) {
    call = { ...call, settings: { ...call.settings, cacheRead: false } };
  }
  const parse = (text: string) => parseJsonOutput(text, step.schema);
  // A json step's answer that does not parse is not kept for the next run to reuse.
  const cacheable =
    step.output === 'json'
      ? (text: string) =>
          parse(text).then(
            () => true,
            () => false,
          )
      : undefined;
  const result = await runs.execute(call, { signal, writer, cacheable });
  // A prompt with structured output gives its parsed answer: later steps read its fields.
  let output: unknown = result.data !== undefined ? result.data : result.output;
  if (step.output === 'json') {
    try {
      output = await parse(result.output);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw new StepOutputError(error.message, result.executionId);
    }
  }
  return {
    output,
    executionId: result.executionId,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
  };
}

/** A step's `history:` messages: as written, or its template rendered and read as JSON. */
function historyOf(history: string | unknown[], values: Record<string, unknown>): PromptMessage[] {
  if (Array.isArray(history)) return parseHistory(history, 'history');
  const text = compileTemplate(history)(values);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      `history: the template does not render JSON messages: ${reasonOf(error)}`,
    );
  }
  return parseHistory(value, 'history');
}
