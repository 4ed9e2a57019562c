import { ValidationError } from '../core/errors.js';
import type { WorkflowProblem } from './validate.js';

/** The problems of a workflow file, for commands to list; the message sums them up. */
export class WorkflowInvalidError extends ValidationError {
  constructor(readonly problems: WorkflowProblem[]) {
    super(`The workflow has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.name = 'WorkflowInvalidError';
  }
}
