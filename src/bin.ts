#!/usr/bin/env node
// The CLI itself is one CommonJS bundle beside this file, loaded with a code cache
// (core/code-cache.ts) so that each run does not compile it again.
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type * as Cli from './cli.js';
import { loadCli } from './core/code-cache.js';

// Prisma's query compiler is a large wasm module. By default V8 also recompiles it with
// TurboFan on background threads, and the process waits for that at exit; the baseline code
// plans a query fast enough, so that work is wasted (the startup benchmark measures it). Set
// before the CLI is compiled: V8 refuses a code cache made under other flags.
setFlagsFromString('--liftoff-only');

const argv = process.argv.slice(2);
const cli = loadCli<typeof Cli>(
  fileURLToPath(new URL('./cli.cjs', import.meta.url)),
  argv,
  process.env,
);

// A reader that stops early (`prompt-runner … | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await cli.exports.run(argv, {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  importModule: (url) => import(url),
  // The first Ctrl-C lets the command stop and record what it was doing; a second one quits.
  onInterrupt: (handler) => {
    let interrupted = false;
    const listener = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      handler();
    };
    process.on('SIGINT', listener);
    return () => process.off('SIGINT', listener);
  },
});
if (process.exitCode === 0) cli.save();
