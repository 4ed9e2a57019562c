// Reads the migrations shipped with the CLI and tells, without loading the schema engine,
// which of them a database still needs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { findPackageRoot } from '../core/package-root.js';

export interface MigrationFile {
  name: string;
  sql: string;
}

export const PRISMA_DIR = join(findPackageRoot(), 'prisma');
export const MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');
export const SCHEMA_FILE = join(PRISMA_DIR, 'schema.prisma');

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

export function readMigrationState(
  db: BetterSqlite3.Database,
  known: string[] = listMigrationNames(),
): MigrationState {
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
