// Opening a PostgreSQL store: migrated on first use once however many processes meet it,
// refused (and left alone) when it is another application's or a newer version's.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type PostgresLocation,
  parseLocation,
  postgresSettings,
} from '../../src/core/database-location.js';
import { openDatabase } from '../../src/db/client.js';
import { listMigrationNames, MIGRATION_DIRS } from '../../src/db/migrations.js';
import { freshPostgresUrl, TEST_ENGINE } from '../support/postgres.js';
import { tempDir } from '../support/temp.js';

const psql = (url: string, sql: string) =>
  execFileSync('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });

const location = (url: string) => parseLocation(url, '/') as PostgresLocation;

describe('postgresSettings', () => {
  it("takes the pool size from connection_limit and keeps the driver's parameters", () => {
    const settings = postgresSettings(
      location('postgresql://ann@db:5432/p?sslmode=require&connection_limit=5&application_name=x'),
    );
    expect(settings).toEqual({
      // sslmode as psql reads it.
      connectionString:
        'postgresql://ann@db:5432/p?sslmode=require&application_name=x&uselibpqcompat=true',
      poolSize: 5,
    });
    expect(postgresSettings(location('postgresql://db/p')).poolSize).toBe(2);
    expect(() => postgresSettings(location('postgresql://db/p?connection_limit=0'))).toThrow(
      /connection_limit must be a whole number from 1 to 100, not "0"/,
    );
    // A mistyped sslmode is a usage error, not a connection that fails.
    expect(() => postgresSettings(location('postgresql://db/p?sslmode=bogus'))).toThrow(
      /^sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, not "bogus"$/,
    );
  });
});

describe.runIf(TEST_ENGINE === 'postgresql')('openDatabase (PostgreSQL)', () => {
  it('migrates a new database once when eight processes meet it at once', async () => {
    const url = freshPostgresUrl();
    const stores = await Promise.all(Array.from({ length: 8 }, () => openDatabase(location(url))));
    try {
      const applied = stores.flatMap((db) => db.migrated);
      expect(applied).toEqual(listMigrationNames(MIGRATION_DIRS.postgresql));
      expect(psql(url, 'SELECT count(*) FROM _prisma_migrations').trim()).toBe(
        String(applied.length),
      );
      expect(psql(url, `SELECT "value" FROM "StoreInfo" WHERE "key" = 'writtenBy'`).trim()).toMatch(
        /^\d+\.\d+\.\d+$/,
      );
    } finally {
      await Promise.all(stores.map((db) => db.close()));
    }
  });

  it("refuses another application's database and a newer version's, changing nothing", async () => {
    const foreign = freshPostgresUrl();
    psql(foreign, 'CREATE TABLE users (id int primary key); INSERT INTO users VALUES (1)');
    await expect(openDatabase(location(foreign))).rejects.toThrow(
      /holds the tables of another application, not a prompt-runner store/,
    );
    expect(
      psql(foreign, 'SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()').trim(),
    ).toBe('1');

    const future = freshPostgresUrl();
    await (await openDatabase(location(future))).close();
    psql(
      future,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ('f', 'x', '29990101000000_later', now(), now(), 1);
       UPDATE "StoreInfo" SET "value" = '9.9.9' WHERE "key" = 'writtenBy'`,
    );
    await expect(openDatabase(location(future))).rejects.toThrow(
      /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/test_\S+ was written by prompt-runner 9\.9\.9; this is prompt-runner \d+\.\d+\.\d+$/,
    );
  });

  it('logs in with the password of the URL, PGPASSWORD or ~/.pgpass, and says why not', async () => {
    const server = new URL(freshPostgresUrl());
    const role = `ann_${process.pid}_${Date.now().toString(36)}`;
    const database = `${role}_db`;
    psql(server.href, `CREATE ROLE ${role} LOGIN PASSWORD 'right-pw'`);
    psql(server.href, `CREATE DATABASE ${database} OWNER ${role}`);
    const url = new URL(server.href);
    url.username = role;
    url.pathname = `/${database}`;
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      delete process.env.PGPASSWORD;
      process.env.PGPASSFILE = join(tempDir(), 'none');
      await expect(openDatabase(location(url.href))).rejects.toMatchObject({ code: 'DB_AUTH' });
      process.env.PGPASSWORD = 'wrong-pw';
      await expect(openDatabase(location(url.href))).rejects.toMatchObject({
        code: 'DB_AUTH',
        message: `The PostgreSQL server refused the login to ${url.href}`,
      });
      delete process.env.PGPASSWORD;
      const passfile = join(tempDir(), 'pgpass');
      writeFileSync(passfile, `127.0.0.1:*:${database}:${role}:right-pw\n`, { mode: 0o600 });
      process.env.PGPASSFILE = passfile;
      await (await openDatabase(location(url.href))).close();
      process.env.PGPASSWORD = 'right-pw';
      await (await openDatabase(location(url.href))).close();
      delete process.env.PGPASSWORD;
      const inUrl = new URL(url.href);
      inUrl.password = 'right-pw';
      await (await openDatabase(location(inUrl.href))).close();
      // A database where the user may not create tables: said so, with the way out.
      inUrl.pathname = '/postgres';
      await expect(openDatabase(location(inUrl.href))).rejects.toMatchObject({
        code: 'DB_MIGRATE',
        message: expect.stringMatching(
          /^Could not set up the tables of postgresql:\/\/\S+:\*\*\*\*@\S+\/postgres: permission denied for schema public$/,
        ),
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('names a database that does not exist, and how to create it', async () => {
    const url = new URL(freshPostgresUrl());
    url.pathname = '/no_such_database';
    await expect(openDatabase(location(url.href))).rejects.toMatchObject({
      code: 'DB_MISSING',
      message: expect.stringMatching(
        /^The database of postgresql:\/\/\S+\/no_such_database does not exist$/,
      ),
    });
  });
});
