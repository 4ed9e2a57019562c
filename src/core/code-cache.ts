// Loads the bundled CLI with a V8 code cache. Every process otherwise parses the bundle and
// compiles each function the first time it runs: about a third of a workflow run's own CPU
// time. Node 20 has no compile cache of its own (module.enableCompileCache arrived in Node 22),
// and a cache made when the bundle is compiled holds only its top level, so the cache here is
// made after a command has run and holds every function it compiled. Runs of different
// commands compile different functions: each command has its own cache file. Every failure to
// read or write a cache is ignored; the bundle then compiles as usual.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import envPaths from 'env-paths';

/** What became of the cache: none found, used, or refused by V8 (another Node or build). */
export type CacheStatus = 'off' | 'miss' | 'hit' | 'rejected';

export interface LoadedBundle<T> {
  exports: T;
  cache: CacheStatus;
  /** Writes the cache when there was none to use; call it after the command succeeded. */
  save(): void;
}

// Each command's cache file is about 1 MB; past this many the oldest go.
const MAX_CACHE_FILES = 24;

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
 * Runs the bundle, through the cache in `dir` under `key`. The bundle is CommonJS already
 * wrapped in Node's module function (the build's banner and footer), so its text is the
 * script as it is, and ASCII outside comments (esbuild escapes the rest), so it is read as
 * Latin-1: a one-byte string, without UTF-8 decoding.
 */
export function loadBundle<T>(file: string, dir: string | undefined, key: string): LoadedBundle<T> {
  const source = readFileSync(file, 'latin1');
  // A build is named by its size and time: a cache made for another is never offered to V8,
  // which checks only the source's length.
  const stat = statSync(file);
  const buildDir =
    dir && join(dir, `${process.version}-${process.arch}-${stat.size}-${Math.trunc(stat.mtimeMs)}`);
  const cacheFile = buildDir && join(buildDir, `${key}.bin`);
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
    if (!buildDir || !cacheFile || (cache !== 'miss' && cache !== 'rejected')) return;
    try {
      writeCache(buildDir, cacheFile, script.createCachedData());
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

function writeCache(buildDir: string, cacheFile: string, data: Buffer): void {
  mkdirSync(buildDir, { recursive: true });
  // Written aside and renamed: a process reading at the same moment sees all of it or none.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(partial, data);
  renameSync(partial, cacheFile);
  prune(buildDir);
}

/** Removes the caches of other builds, and the oldest files of this one past the limit. */
function prune(buildDir: string): void {
  const parent = dirname(buildDir);
  for (const name of readdirSync(parent)) {
    const path = join(parent, name);
    if (path !== buildDir) rmSync(path, { recursive: true, force: true });
  }
  const files = readdirSync(buildDir)
    .map((name) => ({ path: join(buildDir, name), time: statSync(join(buildDir, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const { path } of files.slice(MAX_CACHE_FILES)) rmSync(path, { force: true });
}
