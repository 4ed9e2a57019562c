// A full disk for tests of what a command does when a write fails: a tiny tmpfs, filled up.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from './temp.js';

const mounted: string[] = [];

/** A tiny tmpfs filled up, or undefined where mounting is not allowed. */
export function fullDisk(): string | undefined {
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounted.push(dir);
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(1024 * 1024));
  } catch {
    // Full, as wanted.
  }
  return dir;
}

// Registered after temp.ts's hook, so it runs first: unmounted before the folder is removed.
afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
});
