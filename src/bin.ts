#!/usr/bin/env node
import { run } from './cli.js';

// A reader that stops early (`prompt-runner … | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
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
