// One data path: only src/db/ reaches the database, repositories through Prisma's client,
// and SQL Prisma cannot express only in the files of SQL beside them (`*.sql.ts`, or
// `*.<engine>.ts` for one engine's), as tagged templates whose values are bound.
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src', import.meta.url));

const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.ts') && !path.startsWith(`generated${sep}`))
  .sort()
  .map((path) => ({
    path: path.split(sep).join('/'),
    text: readFileSync(join(src, path), 'utf8'),
  }));

const DATABASE_MODULES = /from '[^']*(generated\/prisma|@prisma\/|better-sqlite3)[^']*'/;
const RAW_QUERIES = /\$(queryRaw|executeRaw)|\bdb\.prepare\(|\bpragma\(/;
const SQL =
  /\b(SELECT\s[^;]{0,300}?\sFROM\s+"?[A-Za-z_]|INSERT\s+INTO|UPDATE\s+"?\w+"?\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX))\b/;

function offenders(files: typeof sources, pattern: RegExp): string[] {
  return files.filter(({ text }) => pattern.test(text)).map(({ path }) => path);
}

describe('the data path', () => {
  const outside = sources.filter(({ path }) => !path.startsWith('db/'));
  const inside = sources.filter(({ path }) => path.startsWith('db/'));

  it('has the sources to check', () => {
    expect(outside.length).toBeGreaterThan(50);
    expect(inside.map(({ path }) => path)).toContain('db/repositories/execution-repository.ts');
  });

  it('is not left outside src/db: no database client imported, no SQL issued', () => {
    expect(offenders(outside, DATABASE_MODULES)).toEqual([]);
    expect(offenders(outside, RAW_QUERIES)).toEqual([]);
    expect(offenders(outside, SQL)).toEqual([]);
  });

  it("keeps SQL in the engine's files, with bound values only", () => {
    const engineFiles = (file: { path: string }) =>
      /\.(sql|sqlite|postgresql)\.ts$/.test(file.path) ||
      file.path === 'db/migrations.ts' ||
      // The migration state of a PostgreSQL store, read before the engine runs.
      file.path === 'db/postgres.ts' ||
      file.path === 'db/backup.ts';
    expect(
      offenders(
        inside.filter((file) => !engineFiles(file)),
        RAW_QUERIES,
      ),
    ).toEqual([]);
    expect(
      offenders(
        inside.filter((file) => !engineFiles(file)),
        SQL,
      ),
    ).toEqual([]);
    expect(offenders(sources, /Unsafe\(|Prisma\.raw\(/)).toEqual([]);
  });

  it('opens the file below Prisma only to migrate it (with the schema engine) and back it up', () => {
    expect(offenders(sources, /from 'better-sqlite3'/)).toEqual([
      'db/backup.ts',
      'db/migrations.ts',
    ]);
  });

  it("reaches PostgreSQL's driver only through Prisma's adapter and the pools it is given", () => {
    expect(offenders(sources, /import\('pg'\)|from 'pg'/)).toEqual([
      'db/pg-config.ts',
      'db/postgres.ts',
    ]);
  });
});
