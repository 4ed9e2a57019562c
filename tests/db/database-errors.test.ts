import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { handleError } from '../../src/core/error-handler.js';
import { Output } from '../../src/core/output.js';
import { openDatabase } from '../../src/db/client.js';
import { createSql } from '../../src/db/sql.js';
import { tempDir } from '../support/temp.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function report(error: unknown, verbose = false) {
  const stdout = new Capture();
  const stderr = new Capture();
  const output = new Output({ json: false, quiet: false, verbose, color: false, stdout, stderr });
  const code = handleError(error, output, verbose);
  return { code, stderr: stderr.text };
}

/** A database file with one table, `t`, whose `x` is unique. */
function database(): string {
  const file = join(tempDir(), 'test.db');
  const db = new BetterSqlite3(file);
  db.exec('CREATE TABLE t (x TEXT UNIQUE, data BLOB)');
  db.exec("INSERT INTO t (x) VALUES ('taken')");
  db.close();
  return file;
}

/** The error a plain-SQL statement raises through the driver adapter, as commands run it. */
async function plainSqlError(
  file: string,
  sql: string,
  options: { readonly?: boolean; timeout?: number } = {},
): Promise<unknown> {
  const adapter = await new PrismaBetterSqlite3({
    url: `file:${file}`,
    timeout: 1,
    ...options,
  }).connect();
  try {
    await createSql(async () => adapter).execute(sql);
  } catch (error) {
    return error;
  } finally {
    await adapter.dispose();
  }
  throw new Error(`${sql} did not fail`);
}

const cases: {
  name: string;
  error: () => Promise<unknown>;
  code: string;
  message: RegExp;
}[] = [
  {
    name: 'a write lock held by another connection (SQLITE_BUSY)',
    code: 'DB_BUSY',
    message: /stayed locked by another process/,
    error: async () => {
      const file = database();
      const holder = new BetterSqlite3(file);
      holder.exec('BEGIN IMMEDIATE');
      try {
        return await plainSqlError(file, "INSERT INTO t (x) VALUES ('new')");
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    },
  },
  {
    name: 'a unique violation',
    code: 'CONFLICT',
    message: /already exists/,
    error: () => plainSqlError(database(), "INSERT INTO t (x) VALUES ('taken')"),
  },
  {
    name: 'a read-only database',
    code: 'DB_READONLY',
    message: /is read-only/,
    error: () => plainSqlError(database(), "INSERT INTO t (x) VALUES ('new')", { readonly: true }),
  },
  {
    name: 'a full database (SQLITE_FULL)',
    code: 'DB_FULL',
    message: /is full/,
    error: async () => {
      const file = database();
      const adapter = await new PrismaBetterSqlite3({ url: `file:${file}` }).connect();
      const sql = createSql(async () => adapter);
      try {
        await sql.query('PRAGMA max_page_count = 8');
        await sql.execute("INSERT INTO t (x, data) VALUES ('big', zeroblob(1000000))");
      } catch (error) {
        return error;
      } finally {
        await adapter.dispose();
      }
      throw new Error('the insert did not fail');
    },
  },
  {
    name: 'a damaged database (SQLITE_CORRUPT)',
    code: 'DB_DAMAGED',
    message: /is damaged/,
    error: async () => {
      const file = database();
      const db = new BetterSqlite3(file);
      db.exec("INSERT INTO t (x, data) VALUES ('big', randomblob(100000))");
      db.close();
      const bytes = readFileSync(file);
      bytes.fill(0x5a, 4096);
      writeFileSync(file, bytes);
      return plainSqlError(file, 'UPDATE t SET x = x');
    },
  },
];

describe("database errors are said in the user's words, whichever path raised them", () => {
  it.each(cases)('$name: one line, exit 1, code $code', async ({ error, code, message }) => {
    const raised = await error();
    const result = report(raised);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/bug in prompt-runner|SQLITE_|P\d{4}/);
    const json = new Capture();
    const output = new Output({
      json: true,
      quiet: false,
      verbose: false,
      color: false,
      stdout: json,
      stderr: new Capture(),
    });
    handleError(raised, output, false);
    expect(JSON.parse(json.text).error.code).toBe(code);
  });

  it("a Prisma client error names what failed, and keeps Prisma's code for --verbose", async () => {
    const db = await openDatabase(join(tempDir(), 'store.db'));
    let raised: unknown;
    try {
      await db.prisma.project.create({ data: { name: 'app' } });
      await db.prisma.project.create({ data: { name: 'app' } });
    } catch (error) {
      raised = error;
    } finally {
      await db.close();
    }
    const plain = report(raised);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toMatch(/already exists/);
    expect(plain.stderr).not.toMatch(/P2002|prisma\.project\.create|invocation/);
    expect(report(raised, true).stderr).toMatch(/Prisma error code P2002/);
  });
});
