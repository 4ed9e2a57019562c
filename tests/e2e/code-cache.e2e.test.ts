// The built CLI keeps its compiled code in the user cache folder. Its own cache (the only one
// on Node 20, chosen with PROMPT_RUNNER_CODE_CACHE=own on later ones) holds a V8 code cache
// per command: made by a command that succeeded, taken as it is by the next process, replaced
// when refused. From Node 22.1 on, Node's compile cache is used by default.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeHasCache = major > 22 || (major === 22 && minor >= 1);

function cacheRoot(home: string): string {
  return join(home, '.cache', 'prompt-runner', 'code-cache');
}

function cacheFile(home: string, key: string): string | undefined {
  const root = cacheRoot(home);
  if (!existsSync(root)) return undefined;
  const [build, ...others] = readdirSync(root);
  expect(others).toEqual([]);
  const file = join(root, build as string, `${key}.bin`);
  return existsSync(file) ? file : undefined;
}

describe('own code cache of the built CLI', () => {
  it('is written by a command that succeeds and taken as it is by the next run', async () => {
    const home = tempDir();
    const env = testEnv(home, { PROMPT_RUNNER_CODE_CACHE: 'own' });
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
    const env = testEnv(home, { PROMPT_RUNNER_CODE_CACHE: 'own' });
    const result = await runBinary(['prompt', 'show', 'missing', '-p', 'nowhere'], { env });
    expect(result.code).not.toBe(0);
    expect(cacheFile(home, 'prompt-show')).toBeUndefined();
  });

  it('is replaced when damaged, and the command still runs', async () => {
    const home = tempDir();
    const env = testEnv(home, { PROMPT_RUNNER_CODE_CACHE: 'own' });
    const first = await runBinary(['--version'], { env });
    const file = cacheFile(home, 'version') as string;
    writeFileSync(file, 'damaged');

    const second = await runBinary(['--version'], { env });
    expect(second).toEqual(first);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  it('is off with PROMPT_RUNNER_CODE_CACHE=off', async () => {
    const home = tempDir();
    const env = testEnv(home, { PROMPT_RUNNER_CODE_CACHE: 'off' });
    expect((await runBinary(['--version'], { env })).code).toBe(0);
    expect(existsSync(cacheRoot(home))).toBe(false);
  });
});

describe('default code cache of the built CLI', () => {
  it.runIf(!nodeHasCache)('is the own cache on Node 20', async () => {
    const home = tempDir();
    expect((await runBinary(['--version'], { env: testEnv(home) })).code).toBe(0);
    expect(cacheFile(home, 'version')).toBeDefined();
  });

  it.runIf(nodeHasCache)("is Node's compile cache, which the next process takes", async () => {
    const home = tempDir();
    const env = testEnv(home, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    const first = await runBinary(['--version'], { env });
    expect(first.stderr).toMatch(/cli\.cjs was not initialized/);
    const [folder, ...others] = readdirSync(cacheRoot(home));
    expect(others).toEqual([]);
    expect(folder).toMatch(new RegExp(`^v${process.versions.node}-${process.arch}-`));

    const second = await runBinary(['--version'], { env });
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(/cli\.cjs was accepted/);
  });

  it.runIf(nodeHasCache)('goes where NODE_COMPILE_CACHE says, as in Node', async () => {
    const home = tempDir();
    const nodeCache = join(home, 'node-cache');
    const env = testEnv(home, { NODE_COMPILE_CACHE: nodeCache });
    expect((await runBinary(['--version'], { env })).code).toBe(0);
    expect(readdirSync(nodeCache)).toHaveLength(1);
    expect(existsSync(cacheRoot(home))).toBe(false);
  });
});
