// Opens a PostgreSQL store: connects Prisma's PostgreSQL client through the pg adapter with
// a small pool, refuses a database that holds another application's tables or was written by
// a newer version, and applies pending migrations (prisma/migrations-postgresql) under an
// advisory lock, so teammates meeting a fresh database at once migrate it once.
import { type PostgresLocation, postgresSettings } from '../core/database-location.js';
import { DatabaseError } from '../core/errors.js';
import { packageVersion } from '../core/package-root.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Database, MigrateResult } from './client.js';
import { toDatabaseError } from './errors.js';
import {
  listMigrationNames,
  MIGRATION_DIRS,
  newerStore,
  readMigrations,
  schemaText,
  WRITTEN_BY_KEY,
} from './migrations.js';
import { poolConfig } from './pg-config.js';

/** The advisory lock migrations take (any number the team's other tools do not use). */
const MIGRATION_LOCK = 72_707_370;

export async function openPostgres(location: PostgresLocation): Promise<Database> {
  const { connectionString, poolSize } = postgresSettings(location);
  const [{ PrismaPg }, { default: pg }, { PrismaClient: PostgresClient }] = await Promise.all([
    import('@prisma/adapter-pg'),
    import('pg'),
    import('../generated/prisma-postgresql/client.js'),
  ]);
  // The pool is this process's own, ended on close: a client left idle in it would keep the
  // process alive for pg's idle timeout.
  const pool = new pg.Pool({
    // A name the URL may replace.
    application_name: 'prompt-runner',
    // The password asked only when the server wants one and the URL has none.
    ...(await poolConfig(connectionString)),
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  // A connection lost while idle is reported by the next query that needs one.
  pool.on('error', () => {});
  // The two generated clients share one query API; the repositories are typed by SQLite's.
  const prisma = new PostgresClient({ adapter: new PrismaPg(pool) }) as unknown as PrismaClient;
  const close = async () => {
    await prisma.$disconnect().catch(() => {});
    if (!pool.ended) await pool.end().catch(() => {});
  };
  try {
    const { applied } = await migrate(prisma, location, connectionString);
    return { engine: 'postgresql', location, prisma, migrated: applied, close };
  } catch (error) {
    await close();
    throw toDatabaseError(error, location.display) ?? error;
  }
}

/** Brings the store up to date; `db migrate` reports what it did. */
export async function migratePostgres(location: PostgresLocation): Promise<MigrateResult> {
  const db = await openPostgres(location);
  await db.close();
  return { applied: db.migrated, total: listMigrationNames(MIGRATION_DIRS.postgresql).length };
}

interface State {
  applied: string[];
  pending: string[];
  unknown: string[];
  failed: string[];
}

async function migrate(
  prisma: PrismaClient,
  location: PostgresLocation,
  connectionString: string,
): Promise<MigrateResult> {
  const known = listMigrationNames(MIGRATION_DIRS.postgresql);
  // Another process may be migrating: its tables can exist before its record of them, so a
  // database that looks foreign is judged again under the lock.
  const first = await readState(prisma, known, location, false);
  if (first.pending.length === 0) return { applied: [], total: known.length };
  // The lock lives as long as this transaction; the engine migrates on its own connection.
  return prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})::text`;
      const state = await readState(tx, known, location, true);
      if (state.pending.length === 0) return { applied: [], total: known.length };
      const { applyMigrations } = await import('./schema-engine.js');
      const applied = await applyMigrations(
        { engine: 'postgresql', url: connectionString },
        schemaText('postgresql'),
        MIGRATION_DIRS.postgresql,
        readMigrations(MIGRATION_DIRS.postgresql),
      ).catch((error: unknown) => {
        throw cannotMigrate(location, error);
      });
      const version = packageVersion();
      await tx.storeInfo.upsert({
        where: { key: WRITTEN_BY_KEY },
        create: { key: WRITTEN_BY_KEY, value: version },
        update: { value: version },
      });
      return { applied, total: known.length };
    },
    { maxWait: 60_000, timeout: 600_000 },
  );
}

/** A migration the server refused (the engine's error, in its first line). */
function cannotMigrate(location: PostgresLocation, error: unknown): DatabaseError {
  const words = String((error as Error)?.message ?? error)
    .split('\n')
    .map((line) => line.trim())
    .find((line) => /^ERROR:/.test(line));
  const denied = words !== undefined && /permission denied/i.test(words);
  const reason = words ? `: ${words.replace(/^ERROR:\s*/, '')}` : '';
  return new DatabaseError(`Could not set up the tables of ${location.display}${reason}`, {
    code: 'DB_MIGRATE',
    hint: denied
      ? 'the user needs the right to create tables there (GRANT CREATE ON SCHEMA public TO <user>), or a database of its own'
      : 'run the command again with --verbose to see more',
    cause: error,
  });
}

/**
 * Which migrations the store has; throws on a store this version cannot use (one holding
 * other tables only when `strict`: under the migration lock).
 */
async function readState(
  prisma: Pick<PrismaClient, '$queryRaw' | 'storeInfo'>,
  known: string[],
  location: PostgresLocation,
  strict: boolean,
): Promise<State> {
  // A query of the catalog's tables, not to_regclass: its cache may not yet show what another
  // process created while this one waited for the lock.
  const [table] = await prisma.$queryRaw<{ found: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                    WHERE schemaname = current_schema() AND tablename = '_prisma_migrations') AS found`;
  if (!table?.found) {
    const [other] = await prisma.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM information_schema.tables
       WHERE table_schema = current_schema()`;
    if (strict && Number(other?.count ?? 0) > 0) {
      throw new DatabaseError(
        `${location.display} holds the tables of another application, not a prompt-runner store`,
        {
          code: 'FOREIGN_DATABASE',
          hint: 'point PROMPT_RUNNER_DB or --db at an empty database; this one was left unchanged',
        },
      );
    }
    return { applied: [], pending: known, unknown: [], failed: [] };
  }
  const rows = await prisma.$queryRaw<{ name: string; finished: boolean }[]>`
    SELECT migration_name AS name, finished_at IS NOT NULL AS finished
      FROM _prisma_migrations WHERE rolled_back_at IS NULL`;
  const applied = rows.filter((r) => r.finished).map((r) => r.name);
  const failed = rows.filter((r) => !r.finished).map((r) => r.name);
  const knownSet = new Set(known);
  const unknown = applied.filter((name) => !knownSet.has(name));
  if (unknown.length > 0) {
    const info = await prisma.storeInfo
      .findUnique({ where: { key: WRITTEN_BY_KEY } })
      .catch(() => null);
    throw newerStore(location.display, unknown.at(-1), info?.value, packageVersion());
  }
  // Unfinished: perhaps another process migrates it right now, which the lock tells.
  if (failed.length > 0 && !strict) return { applied, pending: known, unknown, failed };
  if (failed.length > 0) {
    throw new DatabaseError(`A migration of ${location.display} did not finish (${failed[0]})`, {
      hint: 'restore the database from a backup (pg_dump)',
    });
  }
  const appliedSet = new Set(applied);
  return { applied, pending: known.filter((n) => !appliedSet.has(n)), unknown, failed };
}
