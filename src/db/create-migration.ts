// Developer tool: `npm run db:migration -- <name>` writes the next migration, the SQL that
// takes a database from the existing migrations to schema.prisma, computed by Prisma's schema
// engine. Hand-written SQL (FTS5 tables and their triggers) may be appended afterwards.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR, readMigrations, SCHEMA_FILE } from './migrations.js';
import { diffMigrations } from './schema-engine.js';

export async function createMigration(name: string, now = new Date()): Promise<string | null> {
  const schema = readFileSync(SCHEMA_FILE, 'utf8');
  const sql = await diffMigrations(schema, MIGRATIONS_DIR, readMigrations());
  if (!sql.trim() || /^-- This is an empty migration\.\s*$/.test(sql.trim())) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  const lock = join(MIGRATIONS_DIR, 'migration_lock.toml');
  if (!existsSync(lock)) writeFileSync(lock, 'provider = "sqlite"\n');
  return join(dir, 'migration.sql');
}

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('Usage: npm run db:migration -- <name>   (a-z, 0-9 and _)\n');
  process.exitCode = 2;
} else {
  const file = await createMigration(name);
  process.stdout.write(
    file ? `Wrote ${file}\n` : 'schema.prisma matches the migrations: nothing to write.\n',
  );
}
