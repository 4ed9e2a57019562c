// Two ways to drive the CLI: in-process through `run` (fast, counted by coverage) and as a
// spawned process of the built binary (what users run).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli.js';
import { freshPostgresUrl, TEST_ENGINE } from './postgres.js';

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  /** Pretend stdin and stderr are a terminal (in-process only). */
  tty?: boolean;
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 0;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * A minimal environment: no colour, no inherited PROMPT_RUNNER_* or model settings. When the
 * tests run against PostgreSQL, each home gets a fresh database of the test server.
 */
export function testEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'xdg-config'),
    XDG_DATA_HOME: join(home, 'xdg-data'),
    PROMPT_RUNNER_HOME: home,
    FORCE_COLOR: '0',
    ...(TEST_ENGINE === 'postgresql' ? { PROMPT_RUNNER_DB: freshPostgresUrl() } : {}),
    ...extra,
  };
}

export async function runInProcess(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  stderr.isTTY = Boolean(options.tty);
  stderr.columns = options.tty ? 80 : 0;
  const stdin = options.stdin === undefined ? new PassThrough() : Readable.from([options.stdin]);
  Object.assign(stdin, { isTTY: Boolean(options.tty) });
  if (options.stdin === undefined) (stdin as PassThrough).end();
  const code = await run(args, {
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdout,
    stderr,
    stdin,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function runBinary(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Decode once at the end: a chunk may end inside a multi-byte character.
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}
