// A database that cannot be written: no paid call is made, or its answer is still shown.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, type CliResult, runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

async function setup(reply?: Reply) {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, {
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'sk-test-key-unwritable',
    PROMPT_RUNNER_PROJECT: 'app',
    PROMPT_RUNNER_CODE_CACHE: 'off',
  });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  await cli('prompt', 'create', 'p', '--body', 'Write about {{topic}}');
  return { server, home, env, cli, db: join(home, 'prompt-runner.db') };
}

/** Runs the CLI as a user who cannot write root's files (root writes through any mode bits). */
function runAsOther(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  const asRoot = process.getuid?.() === 0;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      cwd,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

// As root, the read-only case runs the CLI as `nobody`, which must be able to read the build
// (a checkout below a private folder cannot be).
const otherCanRun =
  process.getuid?.() !== 0 ||
  spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(BIN)}, 4)`], {
    uid: 65534,
    gid: 65534,
  }).status === 0;

describe('a database that cannot be written (built binary)', () => {
  it.skipIf(!otherCanRun)(
    'a read-only database file is refused before the model is called',
    async () => {
      const { server, home, env, db } = await setup();
      chmodSync(home, 0o777);
      chmodSync(db, 0o444);
      const result = await runAsOther(['prompt', 'run', 'p', '--var', 'topic=x'], env, home);
      expect(result.stderr).toMatch(
        /^Error: The database cannot be written, so no model was called/,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(server.requests).toHaveLength(0);
    },
  );

  it('a write that fails after the answer: the answer is printed, one line says it was not recorded, exit 1', async () => {
    let file = '';
    const { cli, db } = await setup(() => {
      // The database starts refusing writes while the model answers.
      const other = new BetterSqlite3(file);
      other.exec(`CREATE TRIGGER IF NOT EXISTS full BEFORE INSERT ON "Execution"
        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
      other.close();
      return { content: 'the paid answer' };
    });
    file = db;
    const json = await cli('prompt', 'run', 'p', '--var', 'topic=x', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ output: 'the paid answer', status: 'success' });
    expect(json.stderr).toMatch(/^Error: The answer could not be recorded in the database: /);
    expect(json.stderr.trim().split('\n')).toHaveLength(1);
    const plain = await cli('prompt', 'run', 'p', '--var', 'topic=y');
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('the paid answer');
    expect(plain.stderr).toMatch(/could not be recorded/);
  });
});
