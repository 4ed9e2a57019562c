// Developer tool: `npm run db:migration -- <name>` writes the next migration, the SQL that
// takes a database from the existing migrations to schema.prisma, computed by Prisma's schema
// engine. Hand-written SQL (FTS5 tables and their triggers) may be appended afterwards.
// PROMPT_RUNNER_SCHEMA_FILE and PROMPT_RUNNER_MIGRATIONS_DIR point it at another schema, so
// its test works on a copy and never touches prisma/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR, readMigrations, SCHEMA_FILE } from './migrations.js';
import { diffMigrations } from './schema-engine.js';

export async function createMigration(
  name: string,
  now = new Date(),
  schemaFile = SCHEMA_FILE,
  migrationsDir = MIGRATIONS_DIR,
): Promise<string | null> {
  const schema = readFileSync(schemaFile, 'utf8');
  const sql = await diffMigrations(schema, migrationsDir, readMigrations(migrationsDir));
  if (!sql.trim() || /^-- This is an empty migration\.\s*$/.test(sql.trim())) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  const lock = join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(lock)) writeFileSync(lock, 'provider = "sqlite"\n');
  return join(dir, 'migration.sql');
}

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('Usage: npm run db:migration -- <name>   (a-z, 0-9 and _)\n');
  process.exitCode = 2;
} else {
  const file = await createMigration(
    name,
    new Date(),
    process.env.PROMPT_RUNNER_SCHEMA_FILE || SCHEMA_FILE,
    process.env.PROMPT_RUNNER_MIGRATIONS_DIR || MIGRATIONS_DIR,
  );
  process.stdout.write(
    file ? `Wrote ${file}\n` : 'schema.prisma matches the migrations: nothing to write.\n',
  );
}
