import { AppError, ModelError } from '../errors.js';

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT). */
export const EXIT_CANCELLED = 130;

export interface CallDetails {
  attempts: number;
  /** Text received before the failure. */
  partialText: string;
  status?: number;
  /** The host, when the call never reached it (DNS, refused, TLS). */
  unreachable?: string;
  /** The execution row that records the call, once written. */
  executionId?: string;
}

/** The call failed; carries what is known about it for the execution record. */
export class ModelCallError extends ModelError {
  constructor(
    message: string,
    readonly details: CallDetails,
    hint?: string,
    code = 'MODEL',
  ) {
    super(message, { code, hint });
    this.name = 'ModelCallError';
  }
}

/** The call was cancelled (Ctrl-C); the text received so far is kept. */
export class CancelledError extends AppError {
  constructor(readonly details: CallDetails) {
    super('Cancelled', { code: 'CANCELLED', exitCode: EXIT_CANCELLED });
    this.name = 'CancelledError';
  }
}
