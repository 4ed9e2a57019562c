// The search index of a codebase's files (paths, defined names and text, by minisearch), kept
// as a cache of its own in the user cache folder: keyed by the root, valid for one git HEAD,
// and brought up to date file by file from their sizes and modification times.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import MiniSearch from 'minisearch';
import type { Definition } from './definitions.js';
import { importsOf } from './imports.js';
import { type FileList, readInside, unreadable } from './repo-files.js';
import { codeTerms, isTestPath, pathTerms } from './terms.js';

/** Bumped whenever what the cache holds changes shape or meaning. */
const CACHE_VERSION = 5;
/** Only this much of a file's text is indexed: its start says what it is about. */
const INDEXED_CHARS = 32 * 1024;
/**
 * The text of all files indexed at once stays under this, so that memory stays bounded on
 * very large trees: past it each file's share shrinks (never below MIN_INDEXED_CHARS).
 */
const INDEXED_TOTAL_CHARS = 64 * 1024 * 1024;
const MIN_INDEXED_CHARS = 1024;
const DEFINED_NAME =
  /\b(?:class|def|function|func|interface|type|struct|enum|trait|fn|module|record|object)\s+([A-Za-z_$][\w$]*)/g;

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface IndexedFile {
  stat: [number, number];
  /** Lines in the file. */
  lines: number;
  imports: string[];
  /** Set when the file could not be read (a symlink, a binary, too large). */
  unread?: true;
  /** Filled in when the file is first parsed. */
  definitions?: Definition[];
}

/** The cache file: each file's facts in arrays by position, lighter to read than objects. */
interface CacheData {
  version: number;
  root: string;
  head: string | null;
  paths: string[];
  /** size, modification time and line count of each path, one after the other. */
  numbers: number[];
  /** Positions of the files that could not be read. */
  unread: number[];
  imports: Record<number, string[]>;
  definitions: Record<number, Definition[]>;
  index: ReturnType<MiniSearch['toJSON']>;
}

function filesFrom(data: CacheData): Map<string, IndexedFile> {
  const files = new Map<string, IndexedFile>();
  const unread = new Set(data.unread);
  data.paths.forEach((path, i) => {
    const file: IndexedFile = {
      stat: [data.numbers[3 * i] ?? 0, data.numbers[3 * i + 1] ?? 0],
      lines: data.numbers[3 * i + 2] ?? 0,
      imports: data.imports[i] ?? [],
    };
    if (unread.has(i)) file.unread = true;
    const definitions = data.definitions[i];
    if (definitions) file.definitions = definitions;
    files.set(path, file);
  });
  return files;
}

interface Doc {
  id: string;
  path: string;
  names: string;
  text: string;
}

const OPTIONS = {
  fields: ['path', 'names', 'text'],
  storeFields: [],
  // Vacuuming runs in the background and must not overlap a save: it runs before one instead.
  autoVacuum: false,
  tokenize: codeTerms,
  processTerm: (term: string) => term,
};

export interface FileIndexProgress {
  indexed: number;
  total: number;
}

/** The index of a codebase, and what it knows of each file. */
export class FileIndex {
  dirty = false;

  constructor(
    readonly search: MiniSearch<Doc>,
    readonly files: Map<string, IndexedFile>,
    readonly head: string | null,
    /** How many files had to be read this time. */
    readonly read: number,
  ) {}

  /** Files ranked by the request: path and defined names weigh more than the text. */
  rank(request: string): { path: string; score: number }[] {
    return this.search
      .search(request, {
        boost: { path: 3, names: 2 },
        prefix: (term) => term.length >= 5,
        weights: { fuzzy: 0, prefix: 0.3 },
        combineWith: 'OR',
      })
      .map((hit) => ({ path: String(hit.id), score: hit.score }));
  }

  setDefinitions(path: string, definitions: Definition[]) {
    const file = this.files.get(path);
    if (!file) return;
    file.definitions = definitions;
    this.dirty = true;
  }
}

const run = promisify(execFile);

export async function gitHead(root: string): Promise<string | null> {
  try {
    return (await run('git', ['rev-parse', '-q', 'HEAD'], { cwd: root })).stdout.trim() || null;
  } catch {
    return null;
  }
}

function cacheFile(cacheDir: string, realRoot: string): string {
  const key = createHash('sha256').update(realRoot).digest('hex').slice(0, 32);
  return join(cacheDir, 'context-index', `${key}.json`);
}

/** The cached index and files, if the cache is there, current and whole; else null. */
async function loadCache(file: string, realRoot: string, head: string | null) {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const data = JSON.parse(text) as CacheData;
    if (data.version !== CACHE_VERSION || data.root !== realRoot || data.head !== head) return null;
    return { search: MiniSearch.loadJS<Doc>(data.index, OPTIONS), files: filesFrom(data) };
  } catch {
    // A damaged cache is rebuilt.
    return null;
  }
}

function document(root: string, realRoot: string, path: string, share: number) {
  const read = readInside(root, realRoot, path);
  if ('skipped' in read) return null;
  const text = read.text.slice(0, share);
  const names = [...read.text.matchAll(DEFINED_NAME)].map((match) => match[1]).join(' ');
  const doc: Doc = { id: path, path: pathTerms(path), names, text };
  let lines = 1;
  for (let at = read.text.indexOf('\n'); at >= 0; at = read.text.indexOf('\n', at + 1)) lines++;
  return { doc, lines, imports: importsOf(path, read.text.slice(0, INDEXED_CHARS)) };
}

export interface IndexOptions {
  root: string;
  realRoot: string;
  /** The listed source files with their lstat (symlinks and tests are never indexed). */
  stats: Map<string, FileStat>;
  /** The user cache folder; without one the index is built in memory each time. */
  cacheDir?: string;
  /** The git commit of the root (asked for by the caller while it does other work). */
  head: Promise<string | null>;
  onProgress?: (progress: FileIndexProgress) => void;
}

/** The index, from the cache where it is still good, updated for the files that changed. */
export async function loadFileIndex(options: IndexOptions): Promise<FileIndex> {
  const { root, realRoot, stats } = options;
  const head = await options.head;
  const file = options.cacheDir ? cacheFile(options.cacheDir, realRoot) : null;
  const cached = file ? await loadCache(file, realRoot, head) : null;
  const search = cached?.search ?? new MiniSearch<Doc>(OPTIONS);
  const files = cached?.files ?? new Map<string, IndexedFile>();
  const cachedCount = files.size;

  // Tests are not searched: they are found by their names beside the code they test.
  const wanted = [...stats.keys()].filter((path) => !unreadable(path) && !isTestPath(path));
  const wantedSet = new Set(wanted);
  for (const path of [...files.keys()]) {
    if (!wantedSet.has(path)) {
      files.delete(path);
      if (search.has(path)) search.discard(path);
    }
  }
  const stale = wanted.filter((path) => {
    const stat = stats.get(path);
    const known = files.get(path)?.stat;
    return !known || known[0] !== stat?.size || known[1] !== stat?.mtimeMs;
  });
  const share = Math.max(
    MIN_INDEXED_CHARS,
    Math.min(INDEXED_CHARS, Math.floor(INDEXED_TOTAL_CHARS / Math.max(1, wanted.length))),
  );
  stale.forEach((path, i) => {
    const made = document(root, realRoot, path, share);
    if (search.has(path)) search.discard(path);
    const stat = stats.get(path);
    // A file that cannot be read is remembered too, so that it is not tried again.
    files.set(path, {
      stat: [stat?.size ?? 0, stat?.mtimeMs ?? 0],
      lines: made?.lines ?? 0,
      imports: made?.imports ?? [],
      ...(made ? {} : { unread: true }),
    });
    if (made) search.add(made.doc);
    if ((i + 1) % 1000 === 0) options.onProgress?.({ indexed: i + 1, total: stale.length });
  });
  const index = new FileIndex(search, files, head, stale.length);
  index.dirty = stale.length > 0 || !cached || files.size !== cachedCount;
  return index;
}

/** Writes the index back when it changed (a new file renamed over the old one). */
export async function saveFileIndex(
  index: FileIndex,
  cacheDir: string | undefined,
  realRoot: string,
): Promise<void> {
  if (!cacheDir || !index.dirty) return;
  const file = cacheFile(cacheDir, realRoot);
  if (index.search.dirtCount > 0) await index.search.vacuum();
  const data: CacheData = {
    version: CACHE_VERSION,
    root: realRoot,
    head: index.head,
    paths: [],
    numbers: [],
    unread: [],
    imports: {},
    definitions: {},
    index: index.search.toJSON(),
  };
  for (const [path, file] of index.files) {
    const at = data.paths.push(path) - 1;
    data.numbers.push(file.stat[0], file.stat[1], file.lines);
    if (file.unread) data.unread.push(at);
    if (file.imports.length > 0) data.imports[at] = file.imports;
    if (file.definitions) data.definitions[at] = file.definitions;
  }
  try {
    await mkdir(join(cacheDir, 'context-index'), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(data), { mode: 0o600 });
    await rename(temporary, file);
  } catch {
    // A cache that cannot be written costs time next run, nothing else.
  }
}

/**
 * The size and modification time of every listed source file, and which listed paths are
 * symlinks (never followed). Tests the listing knows the kind of are not looked at: they are
 * not searched, only found by their names beside the code they test, and read (under the
 * same rules) if chosen.
 */
export function statFiles(root: string, list: FileList) {
  const stats = new Map<string, FileStat>();
  const found = new Set(list.links);
  for (const path of list.paths) {
    if (list.links.has(path) || (isTestPath(path) && !list.unknown.has(path))) continue;
    let info: ReturnType<typeof lstatSync> | undefined;
    try {
      info = lstatSync(join(root, path));
    } catch {
      continue;
    }
    if (info.isFile()) stats.set(path, { size: info.size, mtimeMs: info.mtimeMs });
    else if (info.isSymbolicLink()) found.add(path);
  }
  return { stats, symlinks: list.paths.filter((path) => found.has(path)) };
}
