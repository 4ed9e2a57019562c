// SQLite's and PostgreSQL's migrations, each applied to a live database of its engine, build
// the same store: the same tables, columns (and whether each may be null), primary keys,
// indexes and foreign keys. With migrations.test.ts (SQLite's match schema.prisma), neither
// engine can drift from the one schema source.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLocation } from '../../src/core/database-location.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { freshPostgresUrl, TEST_ENGINE } from '../support/postgres.js';
import { tempDir } from '../support/temp.js';

type Rows = Record<string, unknown>[];

/** Hand-written objects of one engine alone (full-text search). */
const ENGINE_ONLY = /^(execution_fts|_prisma_migrations|sqlite_)|search_document/;

async function sqliteShape(db: Database): Promise<string[]> {
  const columns = await db.prisma.$queryRaw<Rows>`
    SELECT m.name AS t, p.name AS c, p."notnull" AS nn, p.pk AS pk
      FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`;
  const indexes = await db.prisma.$queryRaw<Rows>`
    SELECT m.name AS t, l.name AS i, l."unique" AS u, group_concat(ii.name, ',') AS cols
      FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_info(l.name) ii
     WHERE m.type = 'table' AND l.origin != 'pk'
     GROUP BY m.name, l.name, l."unique"`;
  const keys = await db.prisma.$queryRaw<Rows>`
    SELECT m.name AS t, f."from" AS c, f."table" AS rt, f."to" AS rc, f.on_delete AS del
      FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`;
  return describeShape(columns, indexes, keys);
}

async function postgresShape(db: Database): Promise<string[]> {
  const columns = await db.prisma.$queryRaw<Rows>`
    SELECT c.table_name AS t, c.column_name AS c, (c.is_nullable = 'NO')::int AS nn,
           (EXISTS (SELECT 1 FROM information_schema.key_column_usage k
                     JOIN information_schema.table_constraints tc
                       ON tc.constraint_name = k.constraint_name AND tc.constraint_type = 'PRIMARY KEY'
                    WHERE k.table_name = c.table_name AND k.column_name = c.column_name))::int AS pk
      FROM information_schema.columns c WHERE c.table_schema = current_schema()`;
  const indexes = await db.prisma.$queryRaw<Rows>`
    SELECT t.relname AS t, i.relname AS i, ix.indisunique::int AS u,
           string_agg(a.attname, ',' ORDER BY k.n) AS cols
      FROM pg_index ix
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = current_schema()
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE NOT ix.indisprimary
     GROUP BY t.relname, i.relname, ix.indisunique`;
  const keys = await db.prisma.$queryRaw<Rows>`
    SELECT kcu.table_name AS t, kcu.column_name AS c, ccu.table_name AS rt,
           ccu.column_name AS rc, rc.delete_rule AS del
      FROM information_schema.referential_constraints rc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name
      JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.constraint_name
     WHERE kcu.table_schema = current_schema()`;
  return describeShape(columns, indexes, keys);
}

/** One line per column, index and key, sorted, in words both engines share. */
function describeShape(columns: Rows, indexes: Rows, keys: Rows): string[] {
  const lines = [
    ...columns.map(
      (r) =>
        `column ${r.t}.${r.c} ${Number(r.nn) ? 'not null' : 'null'}${Number(r.pk) ? ' pk' : ''}`,
    ),
    ...indexes.map((r) => `${Number(r.u) ? 'unique' : 'index'} ${r.i} on ${r.t}(${r.cols})`),
    ...keys.map(
      (r) => `key ${r.t}.${r.c} -> ${r.rt}.${r.rc} on delete ${String(r.del).toLowerCase()}`,
    ),
  ];
  return lines.filter((line) => !ENGINE_ONLY.test(line.split(' ')[1] ?? '')).sort();
}

describe.runIf(TEST_ENGINE === 'postgresql')('the two engines', () => {
  it('build the same store from their own migrations', async () => {
    const sqlite = await openDatabase(join(tempDir(), 'shape.db'));
    const postgres = await openDatabase(parseLocation(freshPostgresUrl(), '/'));
    try {
      const [left, right] = [await sqliteShape(sqlite), await postgresShape(postgres)];
      expect(left.length).toBeGreaterThan(100);
      expect(right).toEqual(left);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });
});
