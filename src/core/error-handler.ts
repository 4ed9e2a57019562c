// Turns any error into one line on stderr and an exit code. Stack traces only with
// --verbose, except for errors nobody expected: those are bugs and show where they came from.
import { CommanderError } from 'commander';
import { prismaCode, toDatabaseError } from '../db/errors.js';
import { AppError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, errorJson } from './errors.js';
import type { Output } from './output.js';

const COMMANDER_SILENT = new Set(['commander.helpDisplayed', 'commander.version']);

/** `--help` and `--version`: commander has printed what was asked, nothing failed. */
export function isCleanExit(error: unknown): boolean {
  return error instanceof CommanderError && COMMANDER_SILENT.has(error.code);
}

export function handleError(error: unknown, output: Output, verbose: boolean): number {
  if (isCleanExit(error)) return EXIT_OK;
  if (error instanceof CommanderError) {
    // Help already printed: asked for (`help workflow`), or a group named alone (`project`).
    if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const message = error.message.replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ');
    output.failure({ message, code: 'USAGE', exitCode: EXIT_USAGE, hint: 'see --help' });
    return EXIT_USAGE;
  }
  if (error instanceof AppError) {
    output.failure(errorJson(error));
    if (verbose && error.stack) output.debug(stackOf(error));
    return error.exitCode;
  }
  const database = toDatabaseError(error);
  if (database) {
    output.failure(errorJson(database));
    if (verbose) {
      const code = prismaCode(error);
      if (code) output.debug(`Prisma error code ${code}`);
      output.debug(stackOf(error));
    }
    return database.exitCode;
  }
  output.failure({
    message: `${firstLine(error)} (this is a bug in prompt-runner; please report it)`,
    code: 'INTERNAL',
    exitCode: EXIT_FAILURE,
    hint: null,
  });
  output.options.stderr.write(`${stackOf(error)}\n`);
  return EXIT_FAILURE;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split('\n')[0] ?? '';
}

function stackOf(error: unknown): string {
  return error instanceof Error && error.stack ? error.stack : String(error);
}
