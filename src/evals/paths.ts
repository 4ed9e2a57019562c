// The files an eval file names (its dataset, `.prompt` files, `javascript` checks) are read
// only from inside the project's root (the working folder when the project has none), never
// through a link that leaves it, and never when their name says they hold secrets: an eval
// file from a repository cannot send a file from elsewhere on the machine to a model.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { secretByName } from '../orchestration/secret-files.js';

/** The real path of `file` (relative to the eval file's folder `baseDir`), checked. */
export function evalFilePath(root: string, baseDir: string, file: string, what: string): string {
  const path = resolve(baseDir, file);
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync.native(path);
    realRoot = realpathSync.native(root);
  } catch {
    throw new ValidationError(`No ${what} ${file} (looked for ${path})`);
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new ValidationError(`The ${what} ${file} is outside ${root}`, {
      hint: "an eval reads only files inside the project's root (or the working folder)",
    });
  }
  if (secretByName(inside)) {
    throw new ValidationError(`The ${what} ${file} may hold secrets: it is not read`);
  }
  return real;
}
