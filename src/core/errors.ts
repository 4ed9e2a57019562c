// Typed errors thrown by services and commands; the handler in cli.ts turns them into one
// line on stderr and an exit code (1 the command failed, 2 usage or validation).

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface AppErrorOptions {
  code?: string;
  exitCode?: number;
  hint?: string;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code ?? 'FAILED';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.hint = options.hint;
  }
}

/** An error as `--json` prints it: on stdout after a failure, and in each failed call. */
export interface ErrorJson {
  message: string;
  code: string;
  exitCode: number;
  hint: string | null;
}

export function errorJson(error: AppError): ErrorJson {
  return {
    message: error.message,
    code: error.code,
    exitCode: error.exitCode,
    hint: error.hint ?? null,
  };
}

export class NotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'NOT_FOUND', ...options });
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'CONFLICT', ...options });
    this.name = 'ConflictError';
  }
}

/** Bad input: a flag, an argument, a file. Exit code 2. */
export class ValidationError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'VALIDATION', exitCode: EXIT_USAGE, ...options });
    this.name = 'ValidationError';
  }
}

export class ModelError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'MODEL', ...options });
    this.name = 'ModelError';
  }
}

export class DatabaseError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { code: 'DATABASE', ...options });
    this.name = 'DatabaseError';
  }
}

/** A call was answered but its record could not be written: the answer is still shown. */
export class UnrecordedAnswerError<T = unknown> extends DatabaseError {
  constructor(
    readonly answer: T,
    cause: unknown,
  ) {
    super(`The answer could not be recorded in the database: ${reasonOf(cause)}`, {
      hint: 'check that the database file and its folder can be written and the disk has room',
    });
    this.name = 'UnrecordedAnswerError';
  }
}

export function reasonOf(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0] ?? '';
}
