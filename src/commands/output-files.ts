// Files a user names for a command to write (-o, --dir): checked before any work is done,
// their folders created, and file-system failures turned into one-line errors.
import { closeSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';

function cannotWrite(path: string, error: unknown): ValidationError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EISDIR'
      ? 'it is a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a part of the path is a file, not a folder'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : (error as Error).message;
  return new ValidationError(`Cannot write ${path}: ${reason}`);
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
    mkdirSync(dirname(path), { recursive: true });
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
