// Opens the SQLite store: refuses files that are not SQLite or come from a newer version,
// applies pending migrations (loading the schema engine only then), sets WAL, and connects
// Prisma through the better-sqlite3 adapter.
import {
  closeSync,
  existsSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseError, ValidationError } from '../core/errors.js';
import { cannotWriteReason, makeDirectory } from '../core/fs.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { damagedDatabase, toDatabaseError } from './errors.js';
import {
  listMigrationNames,
  MIGRATIONS_DIR,
  type MigrationState,
  readMigrationState,
  readMigrations,
  SCHEMA_FILE,
} from './migrations.js';
import { createSql, type Sql } from './sql.js';

/** Wait this long for another process's write lock before giving up. */
export const BUSY_TIMEOUT_MS = 10_000;

const SQLITE_HEADER = 'SQLite format 3\0';

export interface Database {
  file: string;
  prisma: PrismaClient;
  /** Plain SQL on the same connection. */
  sql: Sql;
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

export async function openDatabase(file: string, options: OpenOptions = {}): Promise<Database> {
  const { applied } = await migrateDatabase(file, options);
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const factory = new PrismaBetterSqlite3({
    url: `file:${file}`,
    timeout: BUSY_TIMEOUT_MS,
    nativeBinding: nativeBinding(),
  });
  // One connection for both: Prisma connects through this factory, plain SQL uses the same
  // adapter, so neither waits on the other's write lock.
  let connection: Promise<SqlDriverAdapter> | undefined;
  const connect = () => {
    connection ??= factory.connect();
    return connection;
  };
  const prisma = lazyClient(async () => {
    // The built CLI runs with V8's --liftoff-only (bin.ts), so this wasm compiles once.
    const { PrismaClient } = await import('../generated/prisma/client.js');
    return new PrismaClient({
      adapter: { provider: factory.provider, adapterName: factory.adapterName, connect },
    });
  });
  return {
    file,
    prisma: prisma.client,
    sql: createSql(connect),
    migrated: applied,
    close: async () => {
      await prisma.dispose();
      // Prisma closes the connection when it used it; when only plain SQL did, close it here.
      await (await connection)?.dispose();
    },
  };
}

/**
 * A PrismaClient whose module (a large one, and the query compiler behind it) loads
 * on the first query through it, so a command that runs only plain SQL never loads it.
 * `client.<model>.<operation>(…)` and `client.$<method>(…)` wait for the real client and
 * call it; they return ordinary promises (no Prisma batch `$transaction([…])` of them).
 */
function lazyClient(create: () => Promise<PrismaClient>): {
  client: PrismaClient;
  dispose(): Promise<void>;
} {
  let real: Promise<PrismaClient> | undefined;
  const load = () => {
    real ??= create();
    return real;
  };
  type Callable = Record<string, (...args: unknown[]) => Promise<unknown>>;
  const forward = (target: (client: PrismaClient) => Callable, method: string) => {
    return async (...args: unknown[]) => {
      const receiver = target(await load());
      return (receiver[method] as Callable[string]).apply(receiver, args);
    };
  };
  const client = new Proxy({} as PrismaClient, {
    get(_, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      if (key.startsWith('$')) return forward((c) => c as unknown as Callable, key);
      return new Proxy({} as Callable, {
        get: (__, method) =>
          typeof method === 'string'
            ? forward((c) => (c as unknown as Record<string, Callable>)[key] as Callable, method)
            : undefined,
      });
    },
  });
  return { client, dispose: async () => (await real)?.$disconnect() };
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
  createDatabaseFile(file);
  const known = listMigrationNames();
  const state = inspect(file, known);
  if (state.pending.length === 0) return { applied: [], total: known.length };

  // Two processes may meet a fresh database at once: one migrates, the other waits.
  const release = await lockForMigration(file);
  try {
    const current = inspect(file, known);
    if (current.pending.length === 0) return { applied: [], total: known.length };
    const { applyMigrations } = await import('./schema-engine.js');
    const applied = await applyMigrations(
      file,
      readFileSync(SCHEMA_FILE, 'utf8'),
      MIGRATIONS_DIR,
      readMigrations(),
    );
    return { applied, total: known.length };
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

/**
 * Creates a new database file whole: written under a temporary name and linked into place, so
 * no process ever sees an empty file at the database path (an empty file is refused).
 */
function createDatabaseFile(file: string): void {
  if (existsSync(file)) return;
  const fresh = join(dirname(file), `.${basename(file)}.${process.pid}.new`);
  try {
    const db = new BetterSqlite3(fresh, { nativeBinding: nativeBinding() });
    try {
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    linkSync(fresh, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotUse(file, error);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${fresh}${suffix}`, { force: true });
  }
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

/** Reads the migration state and turns on WAL; throws on a file this version cannot use. */
function inspect(file: string, known: string[]): MigrationState {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeBinding() });
    const state = readMigrationState(db, known);
    if (state.unknown.length > 0) {
      throw new DatabaseError(
        `${file} was written by a newer version of prompt-runner (migration ${state.unknown.at(-1)})`,
        { hint: 'upgrade prompt-runner, or use another file with --db' },
      );
    }
    if (state.failed.length > 0) {
      throw new DatabaseError(`A migration of ${file} did not finish (${state.failed[0]})`, {
        hint: 'restore a backup of the file',
      });
    }
    if (state.applied.length === 0 && hasTables(db)) {
      throw new DatabaseError(`${file} is the SQLite database of another application`, {
        code: 'FOREIGN_DATABASE',
        hint: 'point PROMPT_RUNNER_DB or --db at another file; this one was left unchanged',
      });
    }
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    return state;
  } catch (error) {
    if (error instanceof DatabaseError) throw error;
    const code = (error as { code?: string }).code;
    // The header was checked: a file SQLite then cannot read is a damaged database.
    if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
      throw damagedDatabase(file, error);
    }
    throw (
      toDatabaseError(error, file) ??
      new DatabaseError(`Cannot open database ${file}: ${(error as Error).message}`, {
        cause: error,
      })
    );
  } finally {
    db?.close();
  }
}

/** Whether a database holds any table: one without prompt-runner's migrations is not ours. */
function hasTables(db: BetterSqlite3.Database): boolean {
  return (
    db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .get() !== undefined
  );
}

/** better-sqlite3 finds its addon through `bindings`, which probes many paths: go straight to it. */
function nativeBinding(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(
      'better-sqlite3/build/Release/better_sqlite3.node',
    );
  } catch {
    return undefined;
  }
}

/** A file must start with SQLite's header (an empty one too); anything else is left untouched. */
export function assertSqliteFile(file: string): void {
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw new DatabaseError(`Database path ${file} is a directory`);
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
