import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { tempDir } from './temp.js';

const open: Database[] = [];

/** A migrated database in a fresh temp file, closed after the current test. */
export async function testDatabase(): Promise<Database> {
  const db = await openDatabase(join(tempDir(), 'test.db'));
  open.push(db);
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});
