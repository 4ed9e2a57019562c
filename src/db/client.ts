// Opens the store. SQLite: refuses files that are not SQLite or come from a newer version,
// applies pending migrations (db/migrations.ts), and connects Prisma through the
// better-sqlite3 adapter. PostgreSQL: db/postgres.ts. Every query goes through that client.
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  type DatabaseLocation,
  type Engine,
  parseLocation,
  type SqliteLocation,
} from '../core/database-location.js';
import { DatabaseError, ValidationError } from '../core/errors.js';
import { cannotWriteReason, makeDirectory } from '../core/fs.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import {
  applyMigrations,
  BUSY_TIMEOUT_MS,
  createDatabaseFile,
  inspectDatabase,
  listMigrationNames,
  nativeBinding,
} from './migrations.js';

const SQLITE_HEADER = 'SQLite format 3\0';

export interface Database {
  engine: Engine;
  location: DatabaseLocation;
  prisma: PrismaClient;
  /** Migrations this open applied (empty when the file was up to date). */
  migrated: string[];
  close(): Promise<void>;
}

export interface MigrateResult {
  applied: string[];
  total: number;
}

export interface OpenOptions {
  /** Create missing folders above the file: only for the default location, so a mistyped
   * --db path is refused instead of starting an empty database somewhere unexpected. */
  createFolder?: boolean;
}

/** Opens the store at `target` (a location, or an SQLite file path), migrated. */
export async function openDatabase(
  target: string | DatabaseLocation,
  options: OpenOptions = {},
): Promise<Database> {
  const location = typeof target === 'string' ? sqliteLocation(target) : target;
  if (location.engine === 'postgresql') {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(location);
  }
  const file = location.file;
  const { applied } = await migrateDatabase(file, {
    createFolder: options.createFolder ?? !location.named,
  });
  const [{ PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([
    import('@prisma/adapter-better-sqlite3'),
    // The built CLI runs with V8's --liftoff-only (bin.ts), so the query compiler's wasm
    // compiles once.
    import('../generated/prisma/client.js'),
  ]);
  const adapter = new PrismaBetterSqlite3({
    url: `file:${file}`,
    timeout: BUSY_TIMEOUT_MS,
    nativeBinding: nativeBinding(),
  });
  const prisma = new PrismaClient({ adapter });
  return {
    engine: 'sqlite',
    location,
    prisma,
    migrated: applied,
    close: () => prisma.$disconnect(),
  };
}

function sqliteLocation(file: string): SqliteLocation {
  return parseLocation(file, process.cwd(), false) as SqliteLocation;
}

/** Brings the store at `location` up to date (SQLite: creates the file when missing). */
export async function migrateStore(location: DatabaseLocation): Promise<MigrateResult> {
  if (location.engine === 'postgresql') {
    const { migratePostgres } = await import('./postgres.js');
    return migratePostgres(location);
  }
  return migrateDatabase(location.file, { createFolder: !location.named });
}

/** Brings the database at `file` up to date; creates it when missing. */
export async function migrateDatabase(
  file: string,
  options: OpenOptions = {},
): Promise<MigrateResult> {
  assertSqliteFile(file);
  if (options.createFolder ?? true) {
    try {
      makeDirectory(dirname(file));
    } catch (error) {
      throw cannotUse(file, error);
    }
  } else if (!existsSync(dirname(file))) {
    throw new ValidationError(`No folder ${dirname(file)} for the database ${file}`, {
      hint: 'create the folder first, or check the --db path or PROMPT_RUNNER_DB',
    });
  }
  try {
    createDatabaseFile(file);
  } catch (error) {
    throw cannotUse(file, error);
  }
  const known = listMigrationNames();
  const state = inspectDatabase(file, known);
  if (state.pending.length === 0) return { applied: [], total: known.length };

  // Two processes may meet a fresh database at once: one migrates, the other waits.
  const release = await lockForMigration(file);
  try {
    const current = inspectDatabase(file, known);
    if (current.pending.length === 0) return { applied: [], total: known.length };
    return { applied: await applyMigrations(file), total: known.length };
  } catch (error) {
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`Could not migrate ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await release();
  }
}

/**
 * Takes the migration lock (a `<file>.lock` folder beside a `<file>.lock.pid` naming its
 * holder). A lock whose holder has died is taken over at once instead of waiting for it to
 * go stale; one that cannot be had is one clear error.
 */
async function lockForMigration(file: string): Promise<() => Promise<void>> {
  const lockDir = `${file}.lock`;
  const pidFile = `${lockDir}.pid`;
  removeDeadLock(lockDir, pidFile);
  const { default: lockfile } = await import('proper-lockfile');
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      lockfilePath: lockDir,
      stale: 60_000,
      retries: { retries: 600, minTimeout: 20, maxTimeout: 100 },
      // A lock taken over by another process must not end this one with an uncaught error.
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new DatabaseError(`Another prompt-runner process is migrating ${file}`, {
        code: 'DB_BUSY',
        hint: 'wait for it to finish and run the command again',
      });
    }
    throw cannotUse(file, error);
  }
  writeFileSync(pidFile, String(process.pid));
  return async () => {
    rmSync(pidFile, { force: true });
    await release().catch(() => {});
  };
}

function removeDeadLock(lockDir: string, pidFile: string): void {
  let lockedAt: number;
  try {
    lockedAt = statSync(lockDir).mtimeMs;
  } catch {
    return;
  }
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
  } catch {
    holder = undefined;
  }
  // Without a pid the holder may be between taking the lock and naming itself: give it time.
  const dead = holder ? !isAlive(holder) : Date.now() - lockedAt > 5_000;
  if (!dead) return;
  rmSync(pidFile, { force: true });
  rmSync(lockDir, { recursive: true, force: true });
}

/** Whether a process of this id runs (EPERM: it does, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A file must start with SQLite's header (an empty one too); anything else is left untouched. */
export function assertSqliteFile(file: string): void {
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) {
      throw new DatabaseError(`Database path ${file} is a directory`, {
        hint: 'name a file in it, e.g. prompt-runner.db',
      });
    }
    size = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (error instanceof DatabaseError) throw error;
    throw cannotUse(file, error);
  }
  if (size === 0) {
    throw new DatabaseError(`${file} is an empty file, not a prompt-runner database`, {
      code: 'NOT_SQLITE',
      hint: 'use another file with --db, or remove the empty file',
    });
  }
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) throw notSqlite(file);
}

function cannotUse(file: string, error: unknown): DatabaseError {
  return new DatabaseError(`Cannot use the database at ${file}: ${cannotWriteReason(error)}`, {
    hint: 'point PROMPT_RUNNER_HOME, PROMPT_RUNNER_DB or --db at a folder you can write',
  });
}

function notSqlite(file: string): DatabaseError {
  return new DatabaseError(`${file} is not a prompt-runner database (not an SQLite file)`, {
    code: 'NOT_SQLITE',
    hint: 'point PROMPT_RUNNER_DB or --db at another file; this one was left unchanged',
  });
}
