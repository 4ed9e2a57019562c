// Writes the next migration: `npm run db:migration -- <name>`. The SQL is what takes a
// database from the existing migrations to schema.prisma, computed by Prisma's schema engine.
// Hand-written SQL (FTS5 tables and their triggers) may be appended to the file afterwards.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { diffMigrations } from '../dist/db/schema-engine.js';
import { MIGRATIONS_DIR, SCHEMA_FILE, readMigrations } from '../dist/db/migrations.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('Usage: npm run db:migration -- <name>   (lower-case letters, digits and _)');
  process.exit(2);
}

const schema = readFileSync(SCHEMA_FILE, 'utf8');
const sql = await diffMigrations(schema, MIGRATIONS_DIR, readMigrations());
if (!sql.trim() || /^-- This is an empty migration\.\s*$/.test(sql.trim())) {
  console.log('schema.prisma matches the migrations: nothing to write.');
} else {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  const lock = join(MIGRATIONS_DIR, 'migration_lock.toml');
  if (!existsSync(lock)) writeFileSync(lock, 'provider = "sqlite"\n');
  console.log(`Wrote ${dir}/migration.sql`);
}
