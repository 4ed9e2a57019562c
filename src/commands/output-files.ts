// Files a user names for a command to write (-o, --dir). One rule for every command: the
// path is checked before any work is done (a model call, say), an existing file or a
// symlink is replaced only with --overwrite, and the content goes to a temporary file in
// the same folder renamed into place, so a symlink is replaced, never written through, and
// a reader never sees half a file.
import {
  closeSync,
  lstatSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConflictError, ValidationError } from '../core/errors.js';
import { cannotWriteReason, makeDirectory } from '../core/fs.js';

function cannotWrite(path: string, error: unknown): ValidationError {
  return new ValidationError(`Cannot write ${path}: ${cannotWriteReason(error)}`);
}

function refused(path: string, what: string): ConflictError {
  return new ConflictError(`${path} ${what}; pass --overwrite to replace it`, {
    code: 'FILE_EXISTS',
  });
}

/** The file an `-o` option names, from the working directory; `-` names stdout, as usual. */
export function outputFilePath(cwd: string, option: string | undefined): string | null {
  return option && option !== '-' ? resolve(cwd, option) : null;
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw cannotWrite(path, error);
  }
}

/** Refuses a missing folder's path below a file: the nearest part that exists is a folder. */
function assertCreatable(path: string): void {
  for (let current = dirname(path); ; current = dirname(current)) {
    try {
      if (!statSync(current).isDirectory()) {
        throw new ValidationError(
          `Cannot write ${path}: a part of the path is a file, not a folder`,
        );
      }
      return;
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotWrite(path, error);
      if (dirname(current) === current) return;
    }
  }
}

/**
 * Refuses, before any work, a path that cannot become the file: a directory, or, without
 * `overwrite`, an existing file or a symlink (dangling or not).
 */
export function checkOutputFile(path: string, overwrite: boolean): void {
  const stats = lstatOrNull(path);
  if (!stats) {
    assertCreatable(path);
    return;
  }
  if (stats.isSymbolicLink()) {
    if (!overwrite) throw refused(path, 'is a symlink');
    return;
  }
  if (stats.isDirectory()) throw new ValidationError(`Cannot write ${path}: it is a directory`);
  if (!overwrite) throw refused(path, 'exists');
}

/** The same for a folder to write into (`--dir`): a symlinked folder needs `overwrite`. */
export function checkOutputDir(dir: string, overwrite: boolean): void {
  const stats = lstatOrNull(dir);
  if (!stats) {
    assertCreatable(dir);
    return;
  }
  if (stats.isSymbolicLink() && !overwrite) throw refused(dir, 'is a symlink');
  if (!statSync(dir).isDirectory()) {
    throw new ValidationError(`Cannot write into ${dir}: it is not a folder`);
  }
}

/** A file being written: a temporary file beside `path`, renamed over it by `commit`. */
export interface OutputFile {
  fd: number;
  commit(): void;
  discard(): void;
}

export function openOutputFile(path: string): OutputFile {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    makeDirectory(dirname(path));
    fd = openSync(temporary, 'wx');
  } catch (error) {
    throw cannotWrite(path, error);
  }
  const discard = () => {
    try {
      unlinkSync(temporary);
    } catch {
      // Already gone: nothing to clean.
    }
  };
  return {
    fd,
    commit() {
      try {
        renameSync(temporary, path);
      } catch (error) {
        discard();
        throw cannotWrite(path, error);
      }
    },
    discard,
  };
}

/** Writes `content` to `path` (checked before with `checkOutputFile`), creating its folder. */
export function writeOutputFile(path: string, content: string): void {
  const file = openOutputFile(path);
  try {
    writeFileSync(file.fd, content);
  } catch (error) {
    closeSync(file.fd);
    file.discard();
    throw cannotWrite(path, error);
  }
  closeSync(file.fd);
  file.commit();
}
