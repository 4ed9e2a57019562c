import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, runBinary, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('db backup killed mid-way', () => {
  it('leaves no file at the target, and the retry succeeds', async () => {
    const home = tempDir();
    const env = testEnv(home);
    const db = join(home, 'store.db');
    expect((await runBinary(['--db', db, 'project', 'create', 'big'], { env })).code).toBe(0);
    const raw = new BetterSqlite3(db);
    raw.exec('CREATE TABLE ballast (data BLOB)');
    const insert = raw.prepare('INSERT INTO ballast VALUES (randomblob(1048576))');
    raw.transaction(() => {
      for (let i = 0; i < 150; i += 1) insert.run();
    })();
    raw.close();

    const target = join(home, 'backups', 'copy.db');
    const child = spawn(process.execPath, [BIN, '--db', db, 'db', 'backup', target], {
      env,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const partial = join(home, 'backups', `.copy.db.${child.pid}.partial`);
    // Kill as soon as the copy has started to be written.
    while (!existsSync(partial) && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(target)).toBe(false);

    const retry = await runBinary(['--db', db, 'db', 'backup', target], { env });
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    const copy = new BetterSqlite3(target, { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM ballast').get()).toEqual({ n: 150 });
    copy.close();
    expect(readdirSync(join(home, 'backups'))).toEqual(['copy.db']);
  });
});
