import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { fullDisk } from '../support/full-disk.js';
import { tempDir } from '../support/temp.js';

describe('database and config files', () => {
  it('db backup "" is a usage error', async () => {
    const home = tempDir();
    const env = testEnv(home);
    expect((await runBinary(['project', 'create', 'a'], { env })).code).toBe(0);
    const result = await runBinary(['db', 'backup', ''], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/needs a file name/);
  });

  it('refuses a zero-byte file at the database path and leaves it empty', async () => {
    const home = tempDir();
    const db = join(home, 'empty.db');
    writeFileSync(db, '');
    const result = await runBinary(['--db', db, 'project', 'list'], { env: testEnv(home) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/empty file, not a prompt-runner database/);
    expect(readFileSync(db).length).toBe(0);
  });

  it('refuses a --db path in a folder that does not exist, and PROMPT_RUNNER_DB likewise', async () => {
    const home = tempDir();
    const typo = join(home, 'no-such-folder', 'store.db');
    const flag = await runBinary(['--db', typo, 'project', 'list'], { env: testEnv(home) });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/No folder .*no-such-folder/);
    const viaEnv = await runBinary(['project', 'list'], {
      env: testEnv(home, { PROMPT_RUNNER_DB: typo }),
    });
    expect(viaEnv.code).toBe(2);
    expect(existsSync(join(home, 'no-such-folder'))).toBe(false);
    const migrate = await runBinary(['--db', typo, 'db', 'migrate'], { env: testEnv(home) });
    expect(migrate.code).toBe(2);
    expect(existsSync(join(home, 'no-such-folder'))).toBe(false);
  });

  it('still creates the default database folder under the home', async () => {
    const home = join(tempDir(), 'fresh', 'home');
    const result = await runBinary(['project', 'list'], { env: testEnv(home) });
    expect(result.code).toBe(0);
    expect(existsSync(join(home, 'prompt-runner.db'))).toBe(true);
  });

  it('a --db file in an existing folder is created', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'data'));
    const db = join(home, 'data', 'store.db');
    expect((await runBinary(['--db', db, 'project', 'list'], { env: testEnv(home) })).code).toBe(0);
    expect(readFileSync(db).subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(readdirSync(join(home, 'data')).filter((name) => name.endsWith('.new'))).toEqual([]);
  });

  it('config set that fails on a full disk leaves no temporary file', async (context) => {
    const home = fullDisk();
    if (!home) return context.skip();
    const result = await runBinary(['config', 'set', 'model', 'gpt-x'], {
      env: testEnv(home),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/disk is full/);
    expect(readdirSync(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('takes over at once a migration lock left by a killed process', async () => {
    const home = tempDir();
    const db = join(home, 'store.db');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(`${db}.lock`);
    writeFileSync(`${db}.lock.pid`, String(dead));
    const result = await runBinary(['--db', db, 'project', 'list', '--json'], {
      env: testEnv(home),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(existsSync(`${db}.lock.pid`)).toBe(false);
  });

  // Slow by nature: the CLI waits for a live holder as long as a migration may take.
  it('says in one line that another process holds the migration lock, when its holder lives', async () => {
    const home = tempDir();
    const db = join(home, 'store.db');
    // A live holder that keeps its lock fresh, as a migrating prompt-runner does.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const lockfile = require('proper-lockfile');
         lockfile.lock(process.argv[1], { realpath: false, lockfilePath: process.argv[1] + '.lock', update: 1000 })
           .then(() => { require('node:fs').writeFileSync(process.argv[1] + '.lock.pid', String(process.pid)); console.log('locked'); });
         setInterval(() => {}, 1000);`,
        db,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise((resolve) => holder.stdout?.once('data', resolve));
      const result = await runBinary(['--db', db, 'project', 'list', '--json'], {
        env: testEnv(home),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Error: Another prompt-runner process is migrating /);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'DB_BUSY' } });
      expect(existsSync(`${db}.lock`)).toBe(true);
    } finally {
      holder.kill();
    }
  }, 120_000);
});
