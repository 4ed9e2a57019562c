import { databaseErrorKind } from './errors.js';

/** A unique constraint violation: Prisma's P2002, or the driver adapter's error for plain SQL. */
export function isUniqueViolation(error: unknown): boolean {
  return databaseErrorKind(error) === 'unique';
}

/** SQLite's own message: the driver adapter keeps it on `cause` and reports only its kind. */
export function sqliteMessage(error: unknown): string {
  const { message, cause } = (error ?? {}) as {
    message?: string;
    cause?: { originalMessage?: string };
  };
  return cause?.originalMessage ?? message ?? String(error);
}
