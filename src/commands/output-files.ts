// Files a user names for a command to write (-o, --dir): checked before any work is done,
// their folders created, and file-system failures turned into one-line errors.
import { mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValidationError } from '../core/errors.js';

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a folder';
  if (code === 'ENOSPC') return 'the disk is full';
  return (error as Error).message;
}

/**
 * Refuses a path that cannot become a file: an existing directory, or one below a file.
 * Called before a command does its work (a model call, say), so nothing is done in vain.
 */
export function assertWritablePath(path: string): void {
  let current = path;
  for (;;) {
    try {
      const stats = statSync(current);
      if (current === path && stats.isDirectory()) {
        throw new ValidationError(`Cannot write ${path}: it is a directory`);
      }
      if (current !== path && !stats.isDirectory()) {
        throw new ValidationError(`Cannot write ${path}: ${current} is a file, not a folder`);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        if (error instanceof ValidationError) throw error;
        throw new ValidationError(`Cannot write ${path}: ${reason(error)}`);
      }
      const parent = dirname(current);
      if (parent === current) return;
      current = parent;
    }
  }
}

/** Writes `content` to `path`, creating its folder. */
export function writeOutputFile(path: string, content: string): void {
  assertWritablePath(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch (error) {
    throw new ValidationError(`Cannot write ${path}: ${reason(error)}`);
  }
}

/** Opens `path` for writing (creating its folder) and returns its descriptor. */
export function openOutputFile(path: string): number {
  assertWritablePath(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'w');
  } catch (error) {
    throw new ValidationError(`Cannot write ${path}: ${reason(error)}`);
  }
}
