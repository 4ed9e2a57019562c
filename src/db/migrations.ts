// The database file itself, below Prisma: creating it, telling (without loading the schema
// engine) which of the migrations shipped with the CLI it still needs and whether this
// version can use it at all, and applying them through the schema engine. Queries go through
// Prisma (db/client.ts); this is the only other connection to the file.
import { existsSync, linkSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { schemaFor } from '../../prisma/engines.mjs';
import type { Engine } from '../core/database-location.js';
import { DatabaseError } from '../core/errors.js';
import { findPackageRoot, packageVersion } from '../core/package-root.js';
import { damagedDatabase, toDatabaseError } from './errors.js';

/** Wait this long for another process's write lock before giving up. */
export const BUSY_TIMEOUT_MS = 10_000;

export interface MigrationFile {
  name: string;
  sql: string;
}

export const PRISMA_DIR = join(findPackageRoot(), 'prisma');
export const SCHEMA_FILE = join(PRISMA_DIR, 'schema.prisma');
/** Each engine's migrations, from the one schema plus the SQL of that engine. */
export const MIGRATION_DIRS: Record<Engine, string> = {
  sqlite: join(PRISMA_DIR, 'migrations'),
  postgresql: join(PRISMA_DIR, 'migrations-postgresql'),
};
export const MIGRATIONS_DIR = MIGRATION_DIRS.sqlite;
/**
 * The schema PostgreSQL's migrations were last written for: its next migration is the
 * difference from this to the current schema (the schema engine cannot describe a live
 * PostgreSQL database through the pg adapter).
 */
export const POSTGRES_SNAPSHOT = join(MIGRATION_DIRS.postgresql, 'schema.prisma');

/** The schema for `engine`: schema.prisma with its provider changed (prisma/engines.mjs). */
export function schemaText(engine: Engine, file = SCHEMA_FILE): string {
  return schemaFor(readFileSync(file, 'utf8'), engine);
}

/** The prompt-runner version that wrote a store, kept in "StoreInfo". */
export const WRITTEN_BY_KEY = 'writtenBy';

/** The refusal of a store migrated by a newer prompt-runner, naming both versions. */
export function newerStore(
  name: string,
  migration: string | undefined,
  writtenBy: string | undefined,
  version: string,
): DatabaseError {
  const by = writtenBy
    ? `prompt-runner ${writtenBy}`
    : `a newer version of prompt-runner (migration ${migration})`;
  return new DatabaseError(`${name} was written by ${by}; this is prompt-runner ${version}`, {
    code: 'DB_NEWER',
    hint: 'upgrade prompt-runner, or use another store with --db',
  });
}

export function listMigrationNames(dir = MIGRATIONS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort();
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return listMigrationNames(dir).map((name) => ({
    name,
    sql: readFileSync(join(dir, name, 'migration.sql'), 'utf8'),
  }));
}

export interface MigrationState {
  applied: string[];
  pending: string[];
  /** Applied migrations this version does not know: the file comes from a newer version. */
  unknown: string[];
  /** Migrations that started and never finished. */
  failed: string[];
}

function readMigrationState(db: BetterSqlite3.Database, known: string[]): MigrationState {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
    .get();
  const rows = table
    ? (db
        .prepare(
          'SELECT migration_name AS name, finished_at AS finishedAt FROM _prisma_migrations WHERE rolled_back_at IS NULL',
        )
        .all() as { name: string; finishedAt: string | null }[])
    : [];
  const applied = rows.filter((r) => r.finishedAt !== null).map((r) => r.name);
  const failed = rows.filter((r) => r.finishedAt === null).map((r) => r.name);
  const appliedSet = new Set(applied);
  const knownSet = new Set(known);
  return {
    applied,
    pending: known.filter((name) => !appliedSet.has(name)),
    unknown: applied.filter((name) => !knownSet.has(name)),
    failed,
  };
}

/**
 * Reads the migration state of `file` and turns on WAL; throws on a file this version cannot
 * use (written by a newer version, half migrated, another application's, damaged).
 */
export function inspectDatabase(file: string, known: string[]): MigrationState {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeBinding() });
    const state = readMigrationState(db, known);
    if (state.unknown.length > 0) {
      throw newerStore(file, state.unknown.at(-1), readWrittenBy(db), packageVersion());
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

function readWrittenBy(db: BetterSqlite3.Database): string | undefined {
  try {
    const row = db.prepare('SELECT "value" FROM "StoreInfo" WHERE "key" = ?').get(WRITTEN_BY_KEY);
    return (row as { value?: string } | undefined)?.value;
  } catch {
    return undefined;
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

/**
 * Creates a new database file whole: written under a temporary name and linked into place, so
 * no process ever sees an empty file at the database path (an empty file is refused). Does
 * nothing when the file exists, or when another process created it meanwhile.
 */
export function createDatabaseFile(file: string): void {
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
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${fresh}${suffix}`, { force: true });
  }
}

/**
 * Applies the pending migrations with Prisma's schema engine (loaded only now), then names
 * this version as the store's writer.
 */
export async function applyMigrations(file: string): Promise<string[]> {
  const { applyMigrations: apply } = await import('./schema-engine.js');
  const target = { engine: 'sqlite' as const, url: `file:${file}` };
  const applied = await apply(target, schemaText('sqlite'), MIGRATIONS_DIR, readMigrations());
  const db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeBinding() });
  try {
    db.prepare(
      'INSERT INTO "StoreInfo" ("key", "value") VALUES (?, ?) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"',
    ).run(WRITTEN_BY_KEY, packageVersion());
  } finally {
    db.close();
  }
  return applied;
}

/** better-sqlite3 finds its addon through `bindings`, which probes many paths: go straight to it. */
export function nativeBinding(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(
      'better-sqlite3/build/Release/better_sqlite3.node',
    );
  } catch {
    return undefined;
  }
}
