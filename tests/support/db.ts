import { join } from 'node:path';
import { afterEach } from 'vitest';
import { parseLocation } from '../../src/core/database-location.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { freshPostgresUrl, TEST_ENGINE } from './postgres.js';
import { tempDir } from './temp.js';

const open: Database[] = [];

/**
 * A migrated store, closed after the current test: a fresh temp file, or a fresh database of
 * the PostgreSQL test server when the tests run against that engine.
 */
export async function testDatabase(): Promise<Database> {
  const location =
    TEST_ENGINE === 'postgresql'
      ? parseLocation(freshPostgresUrl(), '/')
      : parseLocation(join(tempDir(), 'test.db'), '/', false);
  const db = await openDatabase(location);
  open.push(db);
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});
