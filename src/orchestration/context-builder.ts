// Codebase context for the analysis phase. Files named with --context and key files (README,
// manifests) go in first; then, given the feature request, the repository is ranked against it
// and its best files go in as numbered excerpts (whole small files, the matching definitions of
// large ones), then a map of further files with their definitions, all within a token budget.
// Binaries, lock files, build output and secrets are never read, and nothing is read through
// a symlink or outside the root.
import { realpath } from 'node:fs/promises';
import picomatch from 'picomatch';
import { contentHash } from './context-manifest.js';
import { summarizeTree } from './file-tree.js';
import {
  type FileIndexProgress,
  gitHead,
  loadFileIndex,
  saveFileIndex,
  statFiles,
} from './retrieval/file-index.js';
import { type LineRange, Packer } from './retrieval/packing.js';
import {
  definitionsOf,
  type RankedFile,
  type RankReason,
  rankCodebase,
} from './retrieval/ranking.js';
import { listFiles, readInside, unreadable } from './retrieval/repo-files.js';
import { buildRepoMap } from './retrieval/repo-map.js';
import { contextBudget, tokenCounter } from './retrieval/tokens.js';

export { DEFAULT_MAX_CONTEXT_TOKENS } from './retrieval/tokens.js';

const TREE_LINES = 200;
/** Shares of the budget: key files at most, the map at least (when there is a ranking). */
const KEY_SHARE = 0.15;
const KEY_FILE_SHARE = 0.06;
const MAP_SHARE = 0.1;
/** No ranked file takes more than this share of the budget. */
const FILE_SHARE = 0.3;
/** Ranked files beyond the parsed ones are parsed for the map up to this many. */
const MAP_PARSED_FILES = 40;
/** How many ranked files left out are reported as such. */
const REPORTED_LEFT_OUT = 20;

const KEY_FILES = [
  /^readme(\.\w+)?$/i,
  /^package\.json$/,
  /^pyproject\.toml$/,
  /^setup\.(py|cfg)$/,
  /^requirements(-\w+)?\.txt$/,
  /^cargo\.toml$/i,
  /^go\.mod$/,
  /^pom\.xml$/,
  /^build\.gradle(\.kts)?$/,
  /^gemfile$/i,
  /^composer\.json$/,
  /^tsconfig(\.\w+)?\.json$/,
  /^dockerfile$/i,
  /^docker-compose\.ya?ml$/,
  /^makefile$/i,
  /^\.env\.(example|sample|template|dist)$/,
  /^(contributing|architecture)\.md$/i,
];

export type ContextReason = 'key file' | 'matches --context' | 'locate' | RankReason;

export interface ContextOptions {
  root: string;
  /** The request to rank the repository against; without one only key and --context files go in. */
  featureRequest?: string;
  /** Globs of files to include (relative to the root). */
  globs?: string[];
  /** Globs of files to leave out of everything. */
  exclude?: string[];
  /** Files a model asked for (the locate step), with the definitions it named: they go in before the ranking. */
  requested?: { path: string; symbols: string[] }[];
  maxTokens?: number;
  /** The older budget in characters, taken as a quarter as many tokens. */
  maxChars?: number;
  /** Lowers the default budget to fit this model's context window. */
  model?: string;
  windows?: Record<string, number>;
  /** Only the map of the ranked files (the plan phase's view), no excerpts or key files. */
  mapOnly?: boolean;
  /** Where the search index is kept between runs. */
  cacheDir?: string;
  onProgress?: (progress: FileIndexProgress) => void;
}

export interface IncludedFile {
  path: string;
  reason: ContextReason;
  score?: number;
  ranges: LineRange[];
  lines: number;
  tokens: number;
  whole: boolean;
  truncated: boolean;
  /** Of the whole file as read, so a later phase can tell whether it changed. */
  sha256: string;
}

export interface CodebaseContext {
  root: string;
  /** How the file list was made. */
  source: 'git' | 'walk';
  totalFiles: number;
  /** Every path listed, and those of them that are symlinks (listed, never followed). */
  paths: string[];
  symlinks: string[];
  fileTree: string;
  /** Files beyond the excerpts with their definitions' lines and signatures. */
  repoMap: string;
  /** The excerpts, then the map: what the analysis template receives. */
  codebaseContext: string;
  files: IncludedFile[];
  /** Files wanted but left out: secrets, binaries, lock files, or over the budget. */
  skipped: { path: string; reason: string }[];
  budget: { maxTokens: number; usedTokens: number; mapTokens: number; window: number | null };
  /** The search index: files in it, files read this time (0 when the cache was current). */
  index: { files: number; read: number } | null;
}

export async function gatherContext(options: ContextOptions): Promise<CodebaseContext> {
  const { root } = options;
  const realRoot = await realpath(root);
  const { maxTokens, window } = contextBudget({
    maxTokens:
      options.maxTokens ??
      (options.maxChars !== undefined ? Math.ceil(options.maxChars / 4) : undefined),
    model: options.model,
    windows: options.windows,
  });
  // git lists the files while the tokenizer loads.
  const listing = listFiles(root);
  const head = options.featureRequest ? gitHead(root) : Promise.resolve(null);
  const count = await tokenCounter();
  const listed = await listing;
  const excluded = (options.exclude ?? []).map((glob) => picomatch(glob, { dot: true }));
  const paths = listed.paths.filter((path) => !excluded.some((match) => match(path)));
  const { stats, symlinks } = statFiles(root, { ...listed, paths });
  const listedPaths = new Set(paths);
  const packer = new Packer(count, maxTokens);
  const files: IncludedFile[] = [];
  const skipped: CodebaseContext['skipped'] = [];
  const sections: string[] = [];
  const texts = new Map<string, string | null>();
  const readText = async (path: string): Promise<string | null> => {
    if (!texts.has(path)) {
      const read = unreadable(path) ? null : readInside(root, realRoot, path);
      texts.set(path, read && 'text' in read ? read.text : null);
    }
    return texts.get(path) ?? null;
  };
  /** Reads a wanted file, or says why it stays out. */
  const wantedText = async (path: string): Promise<string | null> => {
    const why = unreadable(path);
    if (why) {
      skipped.push({ path, reason: why });
      return null;
    }
    const read = readInside(root, realRoot, path);
    if ('skipped' in read) {
      skipped.push({ path, reason: read.skipped });
      return null;
    }
    texts.set(path, read.text);
    return read.text;
  };
  const include = (
    excerpt: ReturnType<Packer['ranked']>,
    reason: ContextReason,
    score?: number,
  ) => {
    if (!excerpt) return false;
    const { text, ...rest } = excerpt;
    sections.push(text);
    const sha256 = contentHash(texts.get(excerpt.path) ?? '');
    const scored = score === undefined ? {} : { score: round(score) };
    files.push({ ...rest, reason, ...scored, sha256 });
    return true;
  };

  // 1. What the user named, then the key files, then what the locate step asked for.
  const isKey = (path: string) => !path.includes('/') && KEY_FILES.some((re) => re.test(path));
  const matchers = (options.globs ?? []).map((glob) => picomatch(glob, { dot: true }));
  const forced = options.mapOnly
    ? []
    : paths.filter((path) => !isKey(path) && matchers.some((match) => match(path)));
  const chosen = new Set<string>();
  for (const path of forced) {
    chosen.add(path);
    const text = await wantedText(path);
    if (text === null) continue;
    if (!include(packer.wholeOrHead(path, text, packer.remaining), 'matches --context'))
      skipped.push({ path, reason: 'over the context budget' });
  }
  const keyBudget = Math.floor(maxTokens * KEY_SHARE);
  const keyStart = packer.used;
  for (const path of options.mapOnly ? [] : paths.filter(isKey)) {
    chosen.add(path);
    const text = await wantedText(path);
    if (text === null) continue;
    const room = Math.min(maxTokens * KEY_FILE_SHARE, keyBudget - (packer.used - keyStart));
    const cap = options.featureRequest ? room : packer.remaining;
    if (!include(packer.wholeOrHead(path, text, cap), 'key file'))
      skipped.push({ path, reason: 'over the context budget' });
  }

  // 2. The ranking, into what is left less the map's share.
  let repoMap = '';
  let mapTokens = 0;
  let indexInfo: CodebaseContext['index'] = null;
  const request = options.featureRequest?.trim();
  if (request) {
    const index = await loadFileIndex({
      root,
      realRoot,
      stats,
      cacheDir: options.cacheDir,
      head,
      onProgress: options.onProgress,
    });
    indexInfo = { files: index.files.size, read: index.read };
    for (const { path, symbols } of options.requested ?? []) {
      if (chosen.has(path) || !listedPaths.has(path)) continue;
      chosen.add(path);
      const text = await wantedText(path);
      if (text === null) continue;
      const named = new Set(symbols);
      const definitions = (await definitionsOf(index, path, text)).map((d) => ({
        ...d,
        score: named.has(d.name) ? 1 : 0,
      }));
      if (!include(packer.ranked(path, text, definitions, maxTokens * FILE_SHARE), 'locate'))
        skipped.push({ path, reason: 'over the context budget' });
    }
    const ranked = await rankCodebase({
      index,
      paths,
      request,
      allowed: (path) => !chosen.has(path),
      readText,
    });
    const mapReserve = Math.floor(maxTokens * MAP_SHARE);
    const left: RankedFile[] = [];
    for (const file of ranked) {
      const room = packer.remaining - mapReserve;
      if (room < 50 || options.mapOnly) {
        left.push(file);
        continue;
      }
      const text = await readText(file.path);
      if (text === null) continue;
      const cap = Math.min(room, maxTokens * FILE_SHARE);
      const excerpt = packer.ranked(file.path, text, file.definitions, cap);
      if (!include(excerpt, file.reason, file.score)) left.push(file);
    }
    for (const file of left.slice(0, REPORTED_LEFT_OUT))
      skipped.push({ path: file.path, reason: 'over the context budget' });
    // 3. The map of what did not fit, in rank order.
    const heading =
      "=== Repository map (files not shown above, with their definitions' lines) ===\n";
    let parsed = 0;
    const mapDefinitions = async (path: string) => {
      const known = index.files.get(path)?.definitions;
      if (known) return known;
      if (parsed >= MAP_PARSED_FILES) return undefined;
      const text = await readText(path);
      if (text === null) return undefined;
      parsed++;
      return definitionsOf(index, path, text);
    };
    repoMap = await buildRepoMap(
      left.map((file) => file.path),
      mapDefinitions,
      packer.remaining - count(heading) - 1,
      count,
    );
    if (repoMap) {
      const section = `${heading}${repoMap}\n`;
      mapTokens = packer.take(section);
      sections.push(section);
    }
    await saveFileIndex(index, options.cacheDir, realRoot);
  }
  return {
    root,
    source: listed.source,
    totalFiles: paths.length,
    paths,
    symlinks,
    fileTree: summarizeTree(paths, TREE_LINES, new Set(symlinks)),
    repoMap,
    codebaseContext: sections.join('\n'),
    files,
    skipped,
    budget: { maxTokens, usedTokens: packer.used, mapTokens, window },
    index: indexInfo,
  };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
