import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { backupDatabase } from '../../src/db/backup.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { listMigrationNames } from '../../src/db/migrations.js';
import { tempDir } from '../support/temp.js';

function appliedRows(file: string) {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db
      .prepare('SELECT migration_name, started_at, finished_at FROM _prisma_migrations')
      .all() as { migration_name: string; started_at: string; finished_at: string }[];
  } finally {
    db.close();
  }
}

describe('openDatabase', () => {
  it('closes its connection, and the last one to close removes the WAL', async () => {
    const dir = tempDir();
    const db = await openDatabase(join(dir, 'store.db'));
    await db.prisma.project.create({ data: { name: 'a' } });
    expect(await db.prisma.project.findMany({ select: { name: true } })).toEqual([{ name: 'a' }]);
    expect(existsSync(join(dir, 'store.db-wal'))).toBe(true);
    await db.close();
    expect(existsSync(join(dir, 'store.db-wal'))).toBe(false);
  });

  it('creates and migrates a fresh file, in WAL mode, keeping Prisma history', async () => {
    const file = join(tempDir(), 'nested', 'dir', 'store.db');
    const db = await openDatabase(file);
    await db.prisma.project.create({ data: { name: 'alpha' } });
    expect(await db.prisma.project.count()).toBe(1);
    await db.close();

    const rows = appliedRows(file);
    expect(rows.map((r) => r.migration_name)).toEqual(listMigrationNames());
    expect(rows.every((r) => r.finished_at)).toBe(true);
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('applies nothing the second time and leaves the history untouched', async () => {
    const file = join(tempDir(), 'store.db');
    expect((await migrateDatabase(file)).applied).toEqual(listMigrationNames());
    const before = appliedRows(file);
    const second = await migrateDatabase(file);
    expect(second).toEqual({ applied: [], total: listMigrationNames().length });
    expect(appliedRows(file)).toEqual(before);
  });

  it('refuses a file that is not SQLite and leaves it byte for byte', async () => {
    const file = join(tempDir(), 'notes.db');
    const content = 'These are my notes, not a database.\n'.repeat(50);
    writeFileSync(file, content);
    await expect(openDatabase(file)).rejects.toThrow(/not a prompt-runner database/);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('refuses a database written by a newer version and does not touch it', async () => {
    const file = join(tempDir(), 'future.db');
    await migrateDatabase(file);
    const raw = new BetterSqlite3(file);
    raw
      .prepare(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ('future', 'x', '29990101000000_from_the_future', 0, 0, 1)`,
      )
      .run();
    raw.prepare(`UPDATE "StoreInfo" SET "value" = '9.9.9' WHERE "key" = 'writtenBy'`).run();
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;

    await expect(openDatabase(file)).rejects.toThrow(
      /future\.db was written by prompt-runner 9\.9\.9; this is prompt-runner 0\.\d+\.\d+$/,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);

    // A store that does not name its writer: the migration this version does not know.
    const again = new BetterSqlite3(file);
    again.prepare(`DELETE FROM "StoreInfo"`).run();
    again.close();
    await expect(openDatabase(file)).rejects.toThrow(
      /was written by a newer version of prompt-runner \(migration 29990101000000_from_the_future\); this is prompt-runner \d+\.\d+\.\d+$/,
    );
  });

  it('refuses the SQLite database of another application and leaves it byte for byte', async () => {
    const file = join(tempDir(), 'app.db');
    const raw = new BetterSqlite3(file);
    raw.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ada')",
    );
    raw.close();
    const before = readFileSync(file);

    await expect(openDatabase(file)).rejects.toThrow(
      /is the SQLite database of another application/,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a directory given as the database path, saying what to give', async () => {
    await expect(openDatabase(tempDir())).rejects.toMatchObject({
      message: expect.stringMatching(/is a directory$/),
      hint: 'name a file in it, e.g. prompt-runner.db',
    });
  });

  it('indexes executions for full-text search through triggers', async () => {
    const db = await openDatabase(join(tempDir(), 'fts.db'));
    await db.prisma.execution.create({
      data: {
        id: 'exec-1',
        model: 'test-model',
        status: 'success',
        messages: JSON.stringify([{ role: 'user', content: 'Summarise the quarterly invoices' }]),
        response: 'The invoices grew by ten percent',
      },
    });
    const search = (word: string) =>
      db.prisma.$queryRawUnsafe<{ execution_id: string }[]>(
        'SELECT execution_id FROM execution_fts WHERE execution_fts MATCH ?',
        word,
      );
    expect(await search('quarterly')).toEqual([{ execution_id: 'exec-1' }]);
    expect(await search('percent')).toEqual([{ execution_id: 'exec-1' }]);

    await db.prisma.execution.update({ where: { id: 'exec-1' }, data: { response: 'rewritten' } });
    expect(await search('percent')).toEqual([]);
    await db.prisma.execution.delete({ where: { id: 'exec-1' } });
    expect(await search('quarterly')).toEqual([]);
    await db.close();
  });

  it('lets several processes meet a fresh database at once', async () => {
    const file = join(tempDir(), 'shared.db');
    const results = await Promise.all([1, 2, 3, 4].map(() => migrateDatabase(file)));
    const appliedByOne = results.filter((r) => r.applied.length > 0);
    expect(appliedByOne).toHaveLength(1);
    expect(appliedRows(file)).toHaveLength(listMigrationNames().length);
  });
});

describe('backupDatabase', () => {
  it('writes a copy that opens with the same rows, and refuses to overwrite', async () => {
    const dir = tempDir();
    const file = join(dir, 'store.db');
    const db = await openDatabase(file);
    await db.prisma.project.create({ data: { name: 'kept' } });
    await db.close();

    const copy = join(dir, 'backup', 'copy.db');
    backupDatabase(file, copy);
    const restored = await openDatabase(copy);
    expect((await restored.prisma.project.findMany()).map((p) => p.name)).toEqual(['kept']);
    await restored.close();

    expect(() => backupDatabase(file, copy)).toThrow(/already exists/);
    expect(() => backupDatabase(join(dir, 'missing.db'), join(dir, 'x.db'))).toThrow(/No database/);
  });
});
