import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { handleError } from '../../src/core/error-handler.js';
import { Output } from '../../src/core/output.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { PrismaClient } from '../../src/generated/prisma/client.js';
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

/** A migrated, empty prompt-runner database file. */
async function database(): Promise<string> {
  const file = join(tempDir(), 'test.db');
  await migrateDatabase(file);
  return file;
}

/** The error a query through Prisma's client raises, as repositories run it. */
async function clientError(
  file: string,
  query: (prisma: PrismaClient) => Promise<unknown>,
  options: { readonly?: boolean } = {},
): Promise<unknown> {
  const adapter = new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 1, ...options });
  const prisma = new PrismaClient({ adapter });
  try {
    await query(prisma);
  } catch (error) {
    return error;
  } finally {
    await prisma.$disconnect();
  }
  throw new Error('the query did not fail');
}

const createProject = (name: string) => (prisma: PrismaClient) =>
  prisma.project.create({ data: { name } });

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
      const file = await database();
      const holder = new BetterSqlite3(file);
      holder.exec('BEGIN IMMEDIATE');
      try {
        return await clientError(file, createProject('new'));
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
    error: async () => {
      const file = await database();
      return clientError(file, async (prisma) => {
        await createProject('taken')(prisma);
        await createProject('taken')(prisma);
      });
    },
  },
  {
    name: 'a read-only database',
    code: 'DB_READONLY',
    message: /is read-only/,
    error: async () => clientError(await database(), createProject('new'), { readonly: true }),
  },
  {
    name: 'a full database (SQLITE_FULL)',
    code: 'DB_FULL',
    message: /is full/,
    error: async () =>
      clientError(await database(), async (prisma) => {
        // The file may not grow past its current size (the least SQLite accepts).
        await prisma.$queryRawUnsafe('PRAGMA max_page_count = 1');
        await prisma.project.create({ data: { name: 'big', description: 'x'.repeat(1_000_000) } });
      }),
  },
  {
    name: 'a damaged database (SQLITE_CORRUPT)',
    code: 'DB_DAMAGED',
    message: /is damaged/,
    error: async () => {
      const file = await database();
      const db = new BetterSqlite3(file);
      db.prepare(
        'INSERT INTO "Project" ("name", "description", "updatedAt") VALUES (?, hex(randomblob(100000)), 0)',
      ).run('big');
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      const bytes = readFileSync(file);
      bytes.fill(0x5a, 4096 * 8);
      writeFileSync(file, bytes);
      return clientError(file, (prisma) => prisma.project.findMany({ where: { name: 'big' } }));
    },
  },
];

describe("database errors are said in the user's words", () => {
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
