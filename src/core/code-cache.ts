// Loads the bundled CLI with a V8 code cache. Every process otherwise parses the bundle and
// compiles each function the first time it runs: about a third of a workflow run's own CPU
// time. Node 20 has no compile cache of its own (module.enableCompileCache arrived in Node 22),
// and a cache made when the bundle is compiled holds only its top level, so the cache here is
// made after a command has run and holds every function it compiled. Runs of different
// commands compile different functions: each command has its own cache file. Every failure to
// read or write a cache is ignored; the bundle then compiles as usual.
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import envPaths from 'env-paths';
import { makeDirectory } from './fs.js';

/** What became of the cache: none found, used, or refused by V8 (another Node or build). */
export type CacheStatus = 'off' | 'miss' | 'hit' | 'rejected';

export interface LoadedBundle<T> {
  exports: T;
  cache: CacheStatus;
  /** Writes the cache when there was none to use; call it after the command succeeded. */
  save(): void;
}

// Each command has a cache file of its own: past these counts the oldest go.
const MAX_CACHE_FILES = 16;
const MAX_BUILDS = 3;

/**
 * Where caches go: `NODE_COMPILE_CACHE` when set (the directory Node 22 uses for its own), else
 * the platform's user cache directory. `NODE_DISABLE_COMPILE_CACHE` turns the cache off.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.NODE_COMPILE_CACHE) return join(env.NODE_COMPILE_CACHE, 'prompt-runner');
  return join(envPaths('prompt-runner', { suffix: '' }).cache, 'code-cache');
}

/**
 * The cache file's name for a command line: its first two words (`workflow-run`), and
 * `help` or `version` when asked for, since those runs compile much less.
 */
export function codeCacheKey(argv: readonly string[]): string {
  const words = argv.filter((arg) => /^[a-z][a-z0-9-]*$/.test(arg)).slice(0, 2);
  if (argv.some((arg) => arg === '-h' || arg === '--help')) words.push('help');
  if (argv.some((arg) => arg === '-V' || arg === '--version')) words.push('version');
  return words.join('-') || 'main';
}

/**
 * The cache file of a command for one build of the bundle. A build is named by its size and
 * time: a cache made for another is never offered to V8, which checks only the source's length.
 */
export function codeCacheFile(dir: string, file: string, key: string): string {
  const { size, mtimeMs } = statSync(file);
  return join(
    dir,
    `${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}`,
    `${key}.bin`,
  );
}

/**
 * Runs the bundle, through the cache in `dir` under `key`. The bundle is CommonJS already
 * wrapped in Node's module function (the build's banner and footer), so its text is the
 * script as it is, and ASCII outside comments (esbuild escapes the rest), so it is read as
 * Latin-1: a one-byte string, without UTF-8 decoding.
 */
export function loadBundle<T>(file: string, dir: string | undefined, key: string): LoadedBundle<T> {
  const source = readFileSync(file, 'latin1');
  const cacheFile = dir && codeCacheFile(dir, file, key);
  const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;

  const script = new vm.Script(source, { filename: file, cachedData });
  const module = { exports: {} as T };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));

  const cache: CacheStatus = !cacheFile
    ? 'off'
    : !cachedData
      ? 'miss'
      : script.cachedDataRejected
        ? 'rejected'
        : 'hit';
  const save = () => {
    if (!cacheFile || (cache !== 'miss' && cache !== 'rejected')) return;
    try {
      writeCache(cacheFile, script.createCachedData());
    } catch {
      // A cache that cannot be written costs the next run time, nothing else.
    }
  };
  return { exports: module.exports, cache, save };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile: string, data: Buffer): void {
  const buildDir = dirname(cacheFile);
  makeDirectory(buildDir);
  // Written aside and renamed: a process reading at the same moment sees all of it or none.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(partial, data);
    renameSync(partial, cacheFile);
  } finally {
    rmSync(partial, { force: true });
  }
  prune(buildDir);
}

/**
 * Keeps the newest few builds' caches (two installed versions used in turn keep theirs) and
 * the newest files of each.
 */
function prune(buildDir: string): void {
  for (const path of newestFirst(dirname(buildDir)).slice(MAX_BUILDS)) {
    rmSync(path, { recursive: true, force: true });
  }
  for (const path of newestFirst(buildDir).slice(MAX_CACHE_FILES)) rmSync(path, { force: true });
}

function newestFirst(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => ({ path: join(dir, name), time: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time)
    .map(({ path }) => path);
}
