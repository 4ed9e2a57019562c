// `db backup`: a consistent, compacted copy of the database, which never leaves a partial file
// at the name the user chose.
import { existsSync, linkSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { cannotWriteReason, makeDirectory } from '../core/fs.js';
import { assertSqliteFile, isAlive } from './client.js';
import { backupFailed } from './errors.js';
import { BUSY_TIMEOUT_MS } from './migrations.js';

/** Writes a consistent, compacted copy of the database to `target` (which must not exist). */
export function backupDatabase(file: string, target: string): void {
  if (!existsSync(file)) {
    throw new NotFoundError(`No database at ${file} yet`, { hint: 'nothing to back up' });
  }
  assertSqliteFile(file);
  if (existsSync(target)) {
    throw new ConflictError(`${target} already exists`, { hint: 'choose a new file name' });
  }
  try {
    makeDirectory(dirname(target));
  } catch (error) {
    throw new ValidationError(`Cannot write ${target}: ${cannotWriteReason(error)}`);
  }
  removeStaleBackups(target);
  // The copy is written under a temporary name beside the target and linked into place when
  // complete, so a backup killed mid-way leaves no partial file at the name the user chose.
  const partial = partialBackupName(target, process.pid);
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: true, timeout: BUSY_TIMEOUT_MS });
    db.prepare('VACUUM INTO ?').run(partial);
    linkSync(partial, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConflictError(`${target} already exists`, { hint: 'choose a new file name' });
    }
    throw backupFailed(file, target, error);
  } finally {
    db?.close();
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
  }
}

function partialBackupName(target: string, pid: number): string {
  return join(dirname(target), `.${basename(target)}.${pid}.partial`);
}

/** Removes the partial copies that killed backups to the same target left behind. */
function removeStaleBackups(target: string): void {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)\.partial(?:-journal)?$/.exec(name.slice(prefix.length))?.[1]);
    if (!pid || isAlive(pid)) continue;
    rmSync(join(dirname(target), name), { force: true });
  }
}
