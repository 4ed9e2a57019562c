import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { fullDisk } from '../support/full-disk.js';
import { tempDir } from '../support/temp.js';

function oneLine(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |bug in prompt-runner|P\d{4}|prisma\./);
}

/** A real database whose pages past the first are overwritten: the header stays valid. */
async function damagedDatabase(home: string): Promise<string> {
  const db = join(home, 'store.db');
  const env = testEnv(home);
  expect((await runBinary(['--db', db, 'project', 'create', 'app'], { env })).code).toBe(0);
  const bytes = readFileSync(db);
  bytes.fill(0x5a, 4096);
  writeFileSync(db, bytes);
  return db;
}

describe('global prompt names are unique', () => {
  it('of concurrent prompt create --global x, exactly one succeeds; the others exit 1 with one line', async () => {
    const home = tempDir();
    const env = testEnv(home);
    expect((await runBinary(['project', 'list'], { env })).code).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        runBinary(['prompt', 'create', '--global', 'x', '--body', 'hello'], { env }),
      ),
    );
    expect(results.filter((r) => r.code === 0)).toHaveLength(1);
    for (const failed of results.filter((r) => r.code !== 0)) {
      expect(failed.code).toBe(1);
      oneLine(failed.stderr);
      expect(failed.stderr).toMatch(/already exists/);
    }
    const list = await runBinary(['prompt', 'list', '--global', '--json'], { env });
    expect(JSON.parse(list.stdout).filter((p: { name: string }) => p.name === 'x')).toHaveLength(1);
  });

  it('the migration keeps the oldest of duplicate global names and renames the later ones name-2, name-3', async () => {
    const home = tempDir();
    const env = testEnv(home);
    const db = join(home, 'store.db');
    expect((await runBinary(['--db', db, 'project', 'list'], { env })).code).toBe(0);
    // A database from before the index, holding duplicates and a prompt already named x-2.
    const raw = new BetterSqlite3(db);
    raw.exec('DROP INDEX "Prompt_global_name_key"');
    raw.exec(
      `DELETE FROM "_prisma_migrations" WHERE "migration_name" LIKE '%global_prompt_name_unique'`,
    );
    const insert = raw.prepare(
      `INSERT INTO "Prompt" ("name", "createdAt", "updatedAt") VALUES (?, 0, 0)`,
    );
    for (const name of ['x', 'x', 'x-2', 'x', 'y']) insert.run(name);
    raw.close();

    const list = await runBinary(['--db', db, 'db', 'migrate'], { env });
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    const check = new BetterSqlite3(db, { readonly: true });
    const names = check.prepare('SELECT "id", "name" FROM "Prompt" ORDER BY "id"').all();
    check.close();
    expect(names).toEqual([
      { id: 1, name: 'x' },
      { id: 2, name: 'x-2-2' },
      { id: 3, name: 'x-2' },
      { id: 4, name: 'x-3' },
      { id: 5, name: 'y' },
    ]);
  });
});

describe('damaged databases', () => {
  it('a damaged database is called damaged, with a way to recover it', async () => {
    const home = tempDir();
    const db = await damagedDatabase(home);
    const before = readFileSync(db);
    const result = await runBinary(['--db', db, 'project', 'list'], { env: testEnv(home) });
    expect(result.code).toBe(1);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(/is damaged/);
    expect(result.stderr).toMatch(/\.recover/);
    expect(result.stderr).not.toMatch(/not an SQLite file/);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('a file that is not SQLite is still refused as not an SQLite file', async () => {
    const home = tempDir();
    const db = join(home, 'notes.db');
    writeFileSync(db, 'just some notes, not a database\n'.repeat(200));
    const result = await runBinary(['--db', db, 'project', 'list'], { env: testEnv(home) });
    expect(result.code).toBe(1);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(/not an SQLite file/);
  });

  it('db backup of a damaged database prints one line, exits 1 and leaves no file', async () => {
    const home = tempDir();
    const db = await damagedDatabase(home);
    const target = join(home, 'backups', 'copy.db');
    const result = await runBinary(['--db', db, 'db', 'backup', target], { env: testEnv(home) });
    expect(result.code).toBe(1);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(/damaged/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')) : []).toEqual([]);
  });

  it('db backup onto a full disk prints one line, exits 1 and leaves no partial file', async (context) => {
    const disk = fullDisk();
    if (!disk) return context.skip();
    const home = tempDir();
    const env = testEnv(home);
    const db = join(home, 'store.db');
    expect((await runBinary(['--db', db, 'project', 'create', 'app'], { env })).code).toBe(0);
    const target = join(disk, 'copy.db');
    const result = await runBinary(['--db', db, 'db', 'backup', target], { env });
    expect(result.code).toBe(1);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(/disk is full/);
    expect(readdirSync(disk)).toEqual(['filler']);
    expect(statSync(db).size).toBeGreaterThan(0);
  });
});
