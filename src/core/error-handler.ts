// Turns any error into one line on stderr and an exit code. Stack traces only with
// --verbose, except for errors nobody expected: those are bugs and show where they came from.
import { CommanderError } from 'commander';
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
  const prismaCode = (error as { code?: unknown } | null)?.code;
  if (typeof prismaCode === 'string' && /^P\d{4}$/.test(prismaCode)) {
    const busy = prismaCode === 'P1008';
    output.failure({
      message: busy
        ? 'The database stayed locked by another process'
        : `Database error (${prismaCode}): ${firstLine(error)}`,
      code: 'DATABASE',
      exitCode: EXIT_FAILURE,
      hint: busy ? 'try again' : null,
    });
    if (verbose) output.debug(stackOf(error));
    return EXIT_FAILURE;
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
