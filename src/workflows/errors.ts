import { AppError, ValidationError } from '../core/errors.js';
import { CancelledError, ModelCallError } from '../core/model-client/errors.js';
import type { WorkflowProblem } from './validate.js';

/** The problems of a workflow file, for commands to list; the message sums them up. */
export class WorkflowInvalidError extends ValidationError {
  constructor(readonly problems: WorkflowProblem[]) {
    super(`The workflow has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.name = 'WorkflowInvalidError';
  }
}

/** A step's answer arrived (and is recorded) but is not what the step needs: no JSON, say. */
export class StepOutputError extends AppError {
  constructor(
    message: string,
    readonly executionId: string | null,
  ) {
    super(message, { code: 'STEP_OUTPUT' });
    this.name = 'StepOutputError';
  }
}

/** The execution that records the call of a failed attempt, when a call was made. */
export function executionOf(error: unknown): string | null {
  if (error instanceof StepOutputError) return error.executionId;
  if (error instanceof ModelCallError || error instanceof CancelledError) {
    return error.details.executionId ?? null;
  }
  return null;
}
