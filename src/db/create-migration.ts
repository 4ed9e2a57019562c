// Developer tool: `npm run db:migration -- <name>` writes the next migration of each engine,
// the SQL that takes a database from that engine's migrations to schema.prisma, computed by
// Prisma's schema engine on a scratch database. Hand-written SQL (full-text search, partial
// indexes) may be appended afterwards. The PostgreSQL migration needs a server:
// PROMPT_RUNNER_TEST_PG names one (scripts/test-postgres.sh starts a throwaway one).
// PROMPT_RUNNER_SCHEMA_FILE and PROMPT_RUNNER_MIGRATIONS_DIR point it at another schema and
// SQLite migrations folder, so its test works on a copy and never touches prisma/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../core/database-location.js';
import {
  MIGRATION_DIRS,
  POSTGRES_SNAPSHOT,
  readMigrations,
  SCHEMA_FILE,
  schemaText,
} from './migrations.js';
import { diffMigrations, diffSchemas } from './schema-engine.js';
import { withScratchDatabase } from './scratch-database.js';

export async function createMigration(
  name: string,
  engine: Engine,
  now = new Date(),
  schemaFile = SCHEMA_FILE,
  migrationsDir = MIGRATION_DIRS[engine],
): Promise<string | null> {
  const schema = schemaText(engine, schemaFile);
  // PostgreSQL: from the schema its migrations were last written for (POSTGRES_SNAPSHOT).
  const sql = await withScratchDatabase(engine, (scratch) =>
    engine === 'postgresql'
      ? diffSchemas(scratch, readFileSync(POSTGRES_SNAPSHOT, 'utf8'), schema)
      : diffMigrations(scratch, schema, migrationsDir, readMigrations(migrationsDir)),
  );
  if (engine === 'postgresql') writeFileSync(POSTGRES_SNAPSHOT, schema);
  if (!sql.trim() || /^-- This is an empty migration\.\s*$/.test(sql.trim())) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  const lock = join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(lock)) writeFileSync(lock, `provider = "${engine}"\n`);
  return join(dir, 'migration.sql');
}

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('Usage: npm run db:migration -- <name>   (a-z, 0-9 and _)\n');
  process.exitCode = 2;
} else {
  const now = new Date();
  const schemaFile = process.env.PROMPT_RUNNER_SCHEMA_FILE || SCHEMA_FILE;
  const sqlite = await createMigration(
    name,
    'sqlite',
    now,
    schemaFile,
    process.env.PROMPT_RUNNER_MIGRATIONS_DIR || MIGRATION_DIRS.sqlite,
  );
  process.stdout.write(
    sqlite
      ? `Wrote ${sqlite}\n`
      : 'schema.prisma matches the SQLite migrations: nothing to write.\n',
  );
  if (process.env.PROMPT_RUNNER_MIGRATIONS_DIR) {
    // A copy of the schema: its PostgreSQL migrations are not written beside prisma/.
  } else if (process.env.PROMPT_RUNNER_TEST_PG) {
    const postgres = await createMigration(name, 'postgresql', now, schemaFile);
    process.stdout.write(
      postgres
        ? `Wrote ${postgres}\n`
        : 'schema.prisma matches the PostgreSQL migrations: nothing to write.\n',
    );
  } else {
    process.stdout.write(
      'Set PROMPT_RUNNER_TEST_PG to a PostgreSQL server to write its migration too (scripts/test-postgres.sh).\n',
    );
  }
}
