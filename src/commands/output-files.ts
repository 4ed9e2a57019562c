// Files a user names for a command to write (-o, --dir): checked before any work is done,
// their folders created, and file-system failures turned into one-line errors.
import { closeSync, openSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { cannotWriteReason, makeDirectory } from '../core/fs.js';

function cannotWrite(path: string, error: unknown): ValidationError {
  return new ValidationError(`Cannot write ${path}: ${cannotWriteReason(error)}`);
}

/** The file an `-o` option names, from the working directory; `-` names stdout, as usual. */
export function outputFilePath(cwd: string, option: string | undefined): string | null {
  return option && option !== '-' ? resolve(cwd, option) : null;
}

/**
 * Refuses a path that cannot become a file: an existing directory, or one below a file.
 * Called before a command does its work (a model call, say), so nothing is done in vain.
 */
export function assertWritablePath(path: string): void {
  // Up to the nearest part that exists: a missing folder will be created.
  for (let current = path; ; current = dirname(current)) {
    try {
      const stats = statSync(current);
      if (current === path && stats.isDirectory()) {
        throw new ValidationError(`Cannot write ${path}: it is a directory`);
      }
      return;
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotWrite(path, error);
      if (dirname(current) === current) return;
    }
  }
}

/** Opens `path` for writing (creating its folder) and returns its descriptor. */
export function openOutputFile(path: string): number {
  assertWritablePath(path);
  try {
    makeDirectory(dirname(path));
    return openSync(path, 'w');
  } catch (error) {
    throw cannotWrite(path, error);
  }
}

/** Writes `content` to `path`, creating its folder. */
export function writeOutputFile(path: string, content: string): void {
  const fd = openOutputFile(path);
  try {
    writeFileSync(fd, content);
  } catch (error) {
    throw cannotWrite(path, error);
  } finally {
    closeSync(fd);
  }
}
