// Prisma's schema engine compiled to wasm: computes migration SQL (for developers) and
// applies pending migrations (for users) without the native engine, so no network is needed.
// It works on either engine, through the driver adapter of each.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { Engine } from '../core/database-location.js';
import type { MigrationFile } from './migrations.js';

// Full-text search tables are written by hand in migration SQL (FTS5 for SQLite; PostgreSQL's
// is a generated column); the engine must not read them as drift.
export const EXTERNAL_TABLES: Record<Engine, string[]> = {
  sqlite: [
    'execution_fts',
    'execution_fts_data',
    'execution_fts_idx',
    'execution_fts_docsize',
    'execution_fts_config',
    'execution_fts_content',
  ],
  postgresql: [],
};

// Partial unique indexes are written by hand too: the schema cannot express them, and the
// engine fails to describe a database holding one, so the diff drops them first.
export const EXTERNAL_INDEXES = ['Prompt_global_name_key'];

/** A database the engine connects to through the driver adapter of its engine. */
export interface EngineTarget {
  engine: Engine;
  /** `file:<path>` for SQLite, the connection string for PostgreSQL. */
  url: string;
}

async function adapterFactory(
  target: EngineTarget,
): Promise<SqlMigrationAwareDriverAdapterFactory> {
  if (target.engine === 'postgresql') {
    const [{ PrismaPg }, { poolConfig }] = await Promise.all([
      import('@prisma/adapter-pg'),
      import('./pg-config.js'),
    ]);
    // Each connection is a pool of its own, ended when the connection is disposed.
    const config = await poolConfig(target.url);
    return new PrismaPg({ ...config, max: 1, allowExitOnIdle: true });
  }
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  return new PrismaBetterSqlite3({ url: target.url });
}

type SchemaEngine = bg.SchemaEngine;

// Node's global WebAssembly; its types live in lib.dom, which this project does not load.
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(
        bytes: Uint8Array,
        imports: object,
      ): Promise<{ instance: { exports: Record<string, unknown> } }>;
    };
  }
).WebAssembly;
let wasmReady: Promise<void> | undefined;

/**
 * The glue's functions, with the engine's timers unref'd: on PostgreSQL it leaves a 10 s
 * timer behind after its work, which would keep every migrating process alive that long.
 */
function imports(): Record<string, unknown> {
  const glue: Record<string, unknown> = { ...bg };
  for (const [name, value] of Object.entries(bg)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof value !== 'function') continue;
    glue[name] = (...args: unknown[]) => {
      const timer = (value as (...a: unknown[]) => { unref?: () => void })(...args);
      timer?.unref?.();
      return timer;
    };
  }
  return glue;
}

// The wasm module may be instantiated only once per process.
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    // The .wasm file is not among the package's exports: find it beside the entry point.
    const entry = require.resolve('@prisma/schema-engine-wasm');
    const wasmPath = join(dirname(entry), 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': imports() });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return wasmReady;
}

async function withEngine<T>(
  target: EngineTarget,
  schema: string,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  // The engine does not close the connections it opens: track them and close them here, or
  // the connection left behind would hold locks against the commands that follow.
  const factory = await adapterFactory(target);
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => remember(await factory.connect()),
    connectToShadowDb: async () => remember(await factory.connectToShadowDb()),
  };
  function remember<C extends { dispose(): Promise<void> }>(connection: C): C {
    opened.push(connection);
    return connection;
  }
  const engine = await bg.SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  try {
    return await use(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((connection) => connection.dispose()));
  }
}

function migrationsList(engine: Engine, baseDir: string, migrations: MigrationFile[]) {
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: `provider = "${engine}"\n` },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: m.sql } },
    })),
  };
}

function filtersOf(engine: Engine) {
  return { externalTables: EXTERNAL_TABLES[engine], externalEnums: [] };
}

/** Applies every pending migration to the target database; returns the names applied. */
export async function applyMigrations(
  target: EngineTarget,
  schema: string,
  baseDir: string,
  migrations: MigrationFile[],
): Promise<string[]> {
  return withEngine(target, schema, async (engine) => {
    const result = await engine.applyMigrations({
      migrationsList: migrationsList(target.engine, baseDir, migrations),
      filters: filtersOf(target.engine),
    });
    return result.appliedMigrationNames;
  });
}

/** The SQL that takes a database of schema `from` to schema `to` (no database is read). */
export async function diffSchemas(target: EngineTarget, from: string, to: string): Promise<string> {
  return withEngine(target, to, async (engine) => {
    const result = await engine.diff({
      from: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: to }] },
      script: true,
      exitCode: null,
      filters: filtersOf(target.engine),
    });
    return result.stdout ?? '';
  });
}

/** Runs a script of SQL on the target, through its driver adapter. */
export async function executeScript(target: EngineTarget, script: string): Promise<void> {
  const connection = await (await adapterFactory(target)).connect();
  try {
    await connection.executeScript(script);
  } finally {
    await connection.dispose();
  }
}

/**
 * The SQL that takes a database from the given migrations to `schema` (empty when none).
 * `scratch` is an empty database of the migrations' engine: they are applied to it first
 * (the engine's own shadow-database path sends whole scripts as one statement, which the
 * better-sqlite3 adapter refuses), then it is compared with the schema.
 */
export async function diffMigrations(
  scratch: EngineTarget,
  schema: string,
  baseDir: string,
  migrations: MigrationFile[],
): Promise<string> {
  const filters = filtersOf(scratch.engine);
  if (migrations.length > 0) {
    await withEngine(scratch, schema, (engine) =>
      engine.applyMigrations({
        migrationsList: migrationsList(scratch.engine, baseDir, migrations),
        filters,
      }),
    );
    await executeScript(
      scratch,
      EXTERNAL_INDEXES.map((index) => `DROP INDEX IF EXISTS "${index}";`).join('\n'),
    );
  }
  return withEngine(scratch, schema, async (engine) => {
    const schemaFiles = [{ path: 'schema.prisma', content: schema }];
    const result = await engine.diff({
      from: { tag: 'schemaDatasource', files: schemaFiles, configDir: baseDir },
      to: { tag: 'schemaDatamodel', files: schemaFiles },
      script: true,
      exitCode: null,
      filters,
    });
    return result.stdout ?? '';
  });
}
