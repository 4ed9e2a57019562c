// Loads the bundled CLI (CommonJS, one file) with its compiled code kept between runs. Every
// process otherwise parses the bundle and compiles each function the first time it runs.
// Node 22.1 and later keep a compile cache of their own (`module.enableCompileCache`), which
// is used where it exists. Node 20 has none: there the bundle is compiled through V8's code
// cache by hand. A cache made when the bundle is compiled holds only its top level, so this
// one is made after a command has run and holds every function it compiled; runs of
// different commands compile different functions, so each command has its own cache file.
// Every failure to read or write a cache is ignored; the bundle then compiles as usual.
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';
import envPaths from 'env-paths';
import { makeDirectory } from './fs.js';

/**
 * What became of the cache: none found, used, refused by V8 (another Node or build), or left
 * to Node's own compile cache.
 */
export type CacheStatus = 'off' | 'miss' | 'hit' | 'rejected' | 'node';

export interface LoadedBundle<T> {
  exports: T;
  cache: CacheStatus;
  /** Writes the cache when there was none to use; call it after the command succeeded. */
  save(): void;
}

/** Node's compile cache (22.1 and later), which the Node 20 types the code is built with lack. */
interface CompileCache {
  enableCompileCache?: (dir?: string) => { status: number };
  constants?: { compileCacheStatus: { ENABLED: number; ALREADY_ENABLED: number } };
}
const nodeModule = Module as typeof Module & CompileCache;

const WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n})'];

// Each command has a cache file of its own: past these counts the oldest go.
const MAX_CACHE_FILES = 16;
const MAX_BUILDS = 3;
/**
 * A build's folder (codeCacheFile): Node's version and architecture, the bundle's size and
 * time in milliseconds. Node's own compile cache (another Node) may share the parent.
 */
const BUILD_NAME = /^v[\d.]+-\w+-\d+-\d{10,}$/;

/** Which cache runs: Node's compile cache, the one here, or none. */
export type CodeCacheKind = 'node' | 'own' | 'off';

/**
 * The cache a run uses and its folder. `PROMPT_RUNNER_CODE_CACHE` chooses: `off`, `own` (the
 * cache here on any Node), or by default Node's compile cache where Node has one, else the
 * cache here. The folder is `PROMPT_RUNNER_CODE_CACHE_DIR`, else `code-cache` in the
 * platform's user cache folder; Node's own `NODE_COMPILE_CACHE` and
 * `NODE_DISABLE_COMPILE_CACHE` are honoured as Node defines them.
 */
export function codeCacheSettings(
  env: NodeJS.ProcessEnv,
  nodeHasCache = Boolean(nodeModule.enableCompileCache),
): { kind: CodeCacheKind; dir: string } {
  const asked = env.PROMPT_RUNNER_CODE_CACHE;
  const kind = asked === 'off' ? 'off' : asked === 'own' || !nodeHasCache ? 'own' : 'node';
  const dir =
    env.PROMPT_RUNNER_CODE_CACHE_DIR ||
    join(envPaths('prompt-runner', { suffix: '' }).cache, 'code-cache');
  return { kind, dir };
}

/**
 * Loads the CLI bundle at `file` for the command line `argv` with the cache `env` chooses
 * (codeCacheSettings). Call `save` once the command has succeeded.
 */
export function loadCli<T>(
  file: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): LoadedBundle<T> {
  const { kind, dir } = codeCacheSettings(env);
  if (kind === 'own') return loadBundle<T>(file, dir, codeCacheKey(argv));
  // Node writes its cache when the process exits, in the folder its own variable names if set.
  const status =
    kind === 'node'
      ? nodeModule.enableCompileCache?.(env.NODE_COMPILE_CACHE ? undefined : dir).status
      : undefined;
  const { ENABLED, ALREADY_ENABLED } = nodeModule.constants?.compileCacheStatus ?? {};
  const on = status !== undefined && (status === ENABLED || status === ALREADY_ENABLED);
  return { exports: createRequire(file)(file) as T, cache: on ? 'node' : 'off', save: () => {} };
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
 * Runs the bundle, through the cache in `dir` under `key`, as Node runs a CommonJS module:
 * inside a function given its `require`, `module` and file names. The wrapper opens on the
 * bundle's first line, so line numbers stay those of the file. The bundle is ASCII outside
 * comments (esbuild escapes the rest), so it is read as Latin-1: a one-byte string, without
 * UTF-8 decoding.
 */
export function loadBundle<T>(file: string, dir: string | undefined, key: string): LoadedBundle<T> {
  const source = readFileSync(file, 'latin1');
  const cacheFile = dir && codeCacheFile(dir, file, key);
  const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;

  const script = new vm.Script(`${WRAPPER[0]}${source}${WRAPPER[1]}`, {
    filename: file,
    cachedData,
  });
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
  const builds = newestFirst(dirname(buildDir)).filter((path) => BUILD_NAME.test(basename(path)));
  for (const path of builds.slice(MAX_BUILDS)) {
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
