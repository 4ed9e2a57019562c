// One attempt of a workflow step: its template (or stored prompt) rendered with the inputs
// and earlier outputs, sent as a call linked to the run and step, its output parsed.
import { AppError } from '../core/errors.js';
import { compileTemplate } from '../core/templating/engine.js';
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

export async function runWorkflowStep(
  { runs, runId, scope, file, flags = {}, signal, writer }: StepCall,
  step: WorkflowStep,
  context: StepContext,
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
    call = prepare({ ...context.inputs, ...vars, ...values });
  }
  const result = await runs.execute(call, { signal, writer });
  let output: unknown = result.output;
  if (step.output === 'json') {
    try {
      output = await parseJsonOutput(result.output, step.schema);
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
