// The one place that tells what a database error means and says it in the user's words,
// whichever layer raised it: Prisma's client (P-codes, with the driver adapter's error and
// SQLite's code on `cause` or `meta`; PostgreSQL's adapter names a `kind`), or better-sqlite3
// itself when the file is opened, migrated or backed up (SQLite's code on the error).
import { AppError, ConflictError, DatabaseError } from '../core/errors.js';
import { cannotWriteReason } from '../core/fs.js';

export type DatabaseErrorKind =
  | 'busy'
  | 'unique'
  | 'readonly'
  | 'full'
  | 'damaged'
  | 'unreachable'
  | 'auth'
  | 'missing'
  | 'lost'
  | 'crowded'
  | 'other';

interface Raw {
  code?: unknown;
  message?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  originalMessage?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** Every error object in the chain: the error, its `cause`s and Prisma's adapter error. */
function chain(error: unknown): Raw[] {
  const seen: Raw[] = [];
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object' || seen.includes(value as Raw) || seen.length > 8) {
      return;
    }
    const raw = value as Raw;
    seen.push(raw);
    visit(raw.cause);
    visit(raw.meta?.driverAdapterError);
  };
  visit(error);
  return seen;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Prisma's code (`P2002`…), when a Prisma client raised the error. */
export function prismaCode(error: unknown): string | undefined {
  const code = (error as Raw | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
}

/** What went wrong, or undefined when the error did not come from the database. */
export function databaseErrorKind(error: unknown): DatabaseErrorKind | undefined {
  const links = chain(error);
  const codes = links.flatMap((l) => [text(l.code), text(l.originalCode), text(l.kind)]);
  const messages = links.flatMap((l) => [text(l.message), text(l.originalMessage)]).join('\n');
  const has = (...names: string[]) => codes.some((c) => names.some((n) => c.startsWith(n)));
  if (has('P2002', 'UniqueConstraintViolation', 'SQLITE_CONSTRAINT_UNIQUE')) return 'unique';
  if (has('SQLITE_CONSTRAINT_PRIMARYKEY')) return 'unique';
  // PostgreSQL's server, as its driver adapter names what went wrong.
  if (has('DatabaseNotReachable', 'TlsConnectionError', 'P1001')) return 'unreachable';
  if (/timeout exceeded when trying to connect/i.test(messages)) return 'unreachable';
  if (has('AuthenticationFailed', 'DatabaseAccessDenied', 'P1000')) return 'auth';
  // The server asks for a password and none was given (URL, PGPASSWORD, ~/.pgpass).
  if (/client password must be a string|SASL: SCRAM/i.test(messages)) return 'auth';
  if (has('DatabaseDoesNotExist', 'P1003')) return 'missing';
  if (has('ConnectionClosed', 'P1017')) return 'lost';
  if (/Connection terminated|terminating connection/i.test(messages)) return 'lost';
  if (has('TooManyConnections')) return 'crowded';
  if (has('P1008', 'P2034', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SocketTimeout')) return 'busy';
  if (has('TransactionWriteConflict', '40001', '40P01')) return 'busy';
  if (/database is locked|database table is locked/i.test(messages)) return 'busy';
  if (has('SQLITE_READONLY') || /readonly database/i.test(messages)) return 'readonly';
  if (has('SQLITE_FULL') || /database or disk is full/i.test(messages)) return 'full';
  if (has('SQLITE_CORRUPT', 'SQLITE_NOTADB')) return 'damaged';
  if (/database disk image is malformed|file is not a database/i.test(messages)) return 'damaged';
  if (
    prismaCode(error) ||
    links.some((l) => l instanceof Error && l.name === 'DriverAdapterError') ||
    codes.some((c) => c.startsWith('SQLITE_') || c === 'sqlite' || c === 'postgres')
  ) {
    return 'other';
  }
  return undefined;
}

/** A unique constraint violation, whichever layer reported it. */
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

/** SQLite's own words, without Prisma's invocation text. */
function sqliteWords(error: unknown): string | undefined {
  for (const link of chain(error)) {
    const words =
      text(link.originalMessage) || (text(link.code).startsWith('SQLITE_') && text(link.message));
    if (words) return words.split('\n')[0];
  }
  return undefined;
}

/**
 * The error in the user's words, or undefined when it did not come from the database.
 * `file` names the database when the caller knows it.
 */
export function toDatabaseError(error: unknown, file?: string): AppError | undefined {
  if (error instanceof AppError) return error;
  const kind = databaseErrorKind(error);
  if (!kind) return undefined;
  const the = file ? `The database ${file}` : 'The database';
  switch (kind) {
    case 'busy':
      return new DatabaseError(`${the} stayed locked by another process`, {
        code: 'DB_BUSY',
        hint: 'try again when the other prompt-runner command has finished',
        cause: error,
      });
    case 'unique':
      return new ConflictError(
        'That record already exists (another command may have just created it)',
        {
          hint: 'choose another name, or look the record up',
          cause: error,
        },
      );
    case 'readonly':
      return new DatabaseError(`${the} is read-only: nothing could be written`, {
        code: 'DB_READONLY',
        hint: 'check the permissions of the database file and its folder, or use another --db',
        cause: error,
      });
    case 'full':
      return new DatabaseError(
        `The disk holding ${file ?? 'the database'} is full: nothing was written`,
        {
          code: 'DB_FULL',
          hint: 'free some space and run the command again',
          cause: error,
        },
      );
    case 'damaged':
      return damagedDatabase(file, error);
    case 'unreachable':
      return new DatabaseError(`Cannot reach the PostgreSQL server of ${file ?? 'the store'}`, {
        code: 'DB_UNREACHABLE',
        hint: 'check the host and port in the URL, that the server runs and accepts connections from here, and its sslmode',
        cause: error,
      });
    case 'auth':
      return new DatabaseError(
        `The PostgreSQL server refused the login to ${file ?? 'the store'}`,
        {
          code: 'DB_AUTH',
          hint: 'check the user in the URL and its password (PGPASSWORD or ~/.pgpass), and its rights on the database',
          cause: error,
        },
      );
    case 'missing':
      return new DatabaseError(`The database of ${file ?? 'the store'} does not exist`, {
        code: 'DB_MISSING',
        hint: 'create it first (createdb <name>, or CREATE DATABASE); prompt-runner then sets it up on first use',
        cause: error,
      });
    case 'lost':
      return new DatabaseError(`The connection to ${file ?? 'the store'} was lost`, {
        code: 'DB_LOST',
        hint: 'run the command again once the server is back; interrupted workflow runs and evals resume (workflow resume, eval resume)',
        cause: error,
      });
    case 'crowded':
      return new DatabaseError(
        `The PostgreSQL server of ${file ?? 'the store'} has no free connection`,
        {
          code: 'DB_CROWDED',
          hint: 'lower connection_limit in the URL (default 2 per process), or raise max_connections on the server',
          cause: error,
        },
      );
    default: {
      const words = sqliteWords(error);
      return new DatabaseError(
        `${the} could not complete the command${words ? `: ${words}` : ''}`,
        { code: 'DATABASE', cause: error },
      );
    }
  }
}

export function damagedDatabase(file: string | undefined, cause?: unknown): DatabaseError {
  const name = file ?? '<file>';
  return new DatabaseError(
    `${file ? `The database ${file}` : 'The database'} is damaged (its SQLite pages are broken)`,
    {
      code: 'DB_DAMAGED',
      hint: `restore it from a copy made with db backup, or try: sqlite3 ${name} ".recover" | sqlite3 recovered.db`,
      cause,
    },
  );
}

/** Why `db backup` failed: a full disk or a damaged source said as such. */
export function backupFailed(file: string, target: string, error: unknown): Error {
  const kind = databaseErrorKind(error);
  if (kind === 'full' || (error as NodeJS.ErrnoException).code === 'ENOSPC') {
    return new DatabaseError(`Could not back up to ${target}: the disk is full; no copy was left`, {
      code: 'DB_FULL',
      hint: 'free some space or choose a file on another disk',
      cause: error,
    });
  }
  if (kind === 'damaged') {
    const damaged = damagedDatabase(file, error);
    return new DatabaseError(`Could not back up: ${damaged.message}`, {
      code: damaged.code,
      hint: damaged.hint,
      cause: error,
    });
  }
  if ((error as NodeJS.ErrnoException).code?.startsWith('E')) {
    return new DatabaseError(`Could not back up to ${target}: ${cannotWriteReason(error)}`, {
      cause: error,
    });
  }
  return toDatabaseError(error, file) ?? (error as Error);
}
