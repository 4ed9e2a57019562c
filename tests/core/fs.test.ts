import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cannotWriteReason, makeDirectory } from '../../src/core/fs.js';
import { tempDir } from '../support/temp.js';

function errorOf(action: () => void): NodeJS.ErrnoException {
  try {
    action();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('expected an error');
}

describe('makeDirectory', () => {
  it('creates a folder and its missing parents, and accepts one that exists', () => {
    const target = join(tempDir(), 'a', 'b', 'c');
    makeDirectory(target);
    expect(statSync(target).isDirectory()).toBe(true);
    makeDirectory(target);
  });

  it('fails when a part of the path is a file', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    const error = errorOf(() => makeDirectory(join(file, 'a', 'b')));
    expect(error.code).toBe('ENOTDIR');
    expect(cannotWriteReason(error)).toBe('a part of the path is a file, not a folder');
    expect(existsSync(join(file, 'a'))).toBe(false);
  });

  // Node's recursive mkdir never returns here.
  it.runIf(existsSync('/proc/self'))('fails where mkdir keeps failing, as under /proc', () => {
    const error = errorOf(() => makeDirectory('/proc/no-such-folder/a'));
    expect(error.code).toBe('ENOENT');
    expect(cannotWriteReason(error)).toBe('a folder of the path cannot be created there');
  });
});
