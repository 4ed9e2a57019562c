// The built CLI keeps a V8 code cache per command in the user cache directory: made by a
// command that succeeded, taken as it is by the next process, replaced when refused.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

function cacheFile(home: string, key: string): string | undefined {
  const root = join(home, '.cache', 'prompt-runner', 'code-cache');
  if (!existsSync(root)) return undefined;
  const [build, ...others] = readdirSync(root);
  expect(others).toEqual([]);
  const file = join(root, build as string, `${key}.bin`);
  return existsSync(file) ? file : undefined;
}

describe('code cache of the built CLI', () => {
  it('is written by a command that succeeds and taken as it is by the next run', async () => {
    const home = tempDir();
    const env = testEnv(home);
    expect((await runBinary(['project', 'create', 'demo'], { env })).code).toBe(0);
    expect(cacheFile(home, 'project-create')).toBeDefined();

    const first = await runBinary(['project', 'list', '--json'], { env });
    expect(first.code).toBe(0);
    const file = cacheFile(home, 'project-list') as string;
    const made = statSync(file);

    const second = await runBinary(['project', 'list', '--json'], { env });
    expect(second).toEqual(first);
    // Refused, it would have been written again (a new file, renamed into place).
    expect(statSync(file).ino).toBe(made.ino);
    expect(statSync(file).mtimeMs).toBe(made.mtimeMs);

    // A command that loads Prisma (and its wasm) too: V8's flags are the same when the cache
    // is made and when it is read.
    await runBinary(['prompt', 'list', '-p', 'demo'], { env });
    const prisma = cacheFile(home, 'prompt-list') as string;
    const prismaMade = statSync(prisma);
    expect((await runBinary(['prompt', 'list', '-p', 'demo'], { env })).code).toBe(0);
    expect(statSync(prisma).ino).toBe(prismaMade.ino);
  });

  it('is not written by a command that fails', async () => {
    const home = tempDir();
    const env = testEnv(home);
    const result = await runBinary(['prompt', 'show', 'missing', '-p', 'nowhere'], { env });
    expect(result.code).not.toBe(0);
    expect(cacheFile(home, 'prompt-show')).toBeUndefined();
  });

  it('is replaced when damaged, and the command still runs', async () => {
    const home = tempDir();
    const env = testEnv(home);
    const first = await runBinary(['--version'], { env });
    const file = cacheFile(home, 'version') as string;
    writeFileSync(file, 'damaged');

    const second = await runBinary(['--version'], { env });
    expect(second).toEqual(first);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE', async () => {
    const home = tempDir();
    const env = testEnv(home, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect((await runBinary(['--version'], { env })).code).toBe(0);
    expect(cacheFile(home, 'version')).toBeUndefined();
  });
});
