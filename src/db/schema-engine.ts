// Prisma's schema engine compiled to wasm: computes migration SQL (for developers) and
// applies pending migrations (for users) without the native engine, so no network is needed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import BetterSqlite3 from 'better-sqlite3';
import type { MigrationFile } from './migrations.js';

// FTS5 tables are written by hand in migration SQL; the engine must not read them as drift.
export const EXTERNAL_TABLES = [
  'execution_fts',
  'execution_fts_data',
  'execution_fts_idx',
  'execution_fts_docsize',
  'execution_fts_config',
  'execution_fts_content',
];

// Partial unique indexes are written by hand too: the schema cannot express them, and the
// engine fails to describe a database holding one, so the diff drops them first.
export const EXTERNAL_INDEXES = ['Prompt_global_name_key'];

const LOCKFILE = { path: 'migration_lock.toml', content: 'provider = "sqlite"\n' };

type Engine = bg.SchemaEngine;

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

// The wasm module may be instantiated only once per process.
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    // The .wasm file is not among the package's exports: find it beside the entry point.
    const entry = require.resolve('@prisma/schema-engine-wasm');
    const wasmPath = join(dirname(entry), 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return wasmReady;
}

async function withEngine<T>(
  url: string,
  schema: string,
  use: (engine: Engine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  // The engine does not close the connections it opens: track them and close them here, or
  // the connection left behind would hold locks against the commands that follow.
  const factory = new PrismaBetterSqlite3({ url });
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

function migrationsList(baseDir: string, migrations: MigrationFile[]) {
  return {
    baseDir,
    lockfile: LOCKFILE,
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: m.sql } },
    })),
  };
}

const filters = { externalTables: EXTERNAL_TABLES, externalEnums: [] };

/** Applies every pending migration to the database at `dbFile`; returns the names applied. */
export async function applyMigrations(
  dbFile: string,
  schema: string,
  baseDir: string,
  migrations: MigrationFile[],
): Promise<string[]> {
  return withEngine(`file:${dbFile}`, schema, async (engine) => {
    const result = await engine.applyMigrations({
      migrationsList: migrationsList(baseDir, migrations),
      filters,
    });
    return result.appliedMigrationNames;
  });
}

/**
 * The SQL that takes a database from the given migrations to `schema` (empty when none).
 * The migrations are applied to a scratch database first: the engine's own shadow-database
 * path sends whole scripts as one statement, which the better-sqlite3 adapter refuses.
 */
export async function diffMigrations(
  schema: string,
  baseDir: string,
  migrations: MigrationFile[],
): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'prompt-runner-migration-'));
  const url = `file:${join(scratch, 'scratch.db')}`;
  try {
    if (migrations.length > 0) {
      await withEngine(url, schema, (engine) =>
        engine.applyMigrations({ migrationsList: migrationsList(baseDir, migrations), filters }),
      );
      const db = new BetterSqlite3(join(scratch, 'scratch.db'));
      try {
        for (const index of EXTERNAL_INDEXES) db.exec(`DROP INDEX IF EXISTS "${index}"`);
      } finally {
        db.close();
      }
    }
    return await withEngine(url, schema, async (engine) => {
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
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
