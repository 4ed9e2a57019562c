// Ranks a codebase against a feature request: files by their paths, defined names and text;
// then, in the leading files only, their definitions; then the neighbours of the best hits
// (what they import, what imports them, the tests beside them).
import { posix } from 'node:path';
import MiniSearch from 'minisearch';
import { type Definition, extractDefinitions } from './definitions.js';
import type { FileIndex } from './file-index.js';
import { ImportResolver } from './imports.js';
import { codeTerms, isTestPath } from './terms.js';

/** How many of the leading files are parsed for their definitions. */
export const PARSED_FILES = 30;
/** Only this much of a definition's text is searched. */
const DEFINITION_CHARS = 600;
/** How many of the best hits lend their neighbours a share of their score. */
const NEIGHBOUR_SOURCES = 5;

export type RankReason = 'ranked' | 'imported by a hit' | 'imports a hit' | 'test of a hit';

export interface ScoredDefinition extends Definition {
  score: number;
}

export interface RankedFile {
  path: string;
  /** Relative to the best file (1). */
  score: number;
  reason: RankReason;
  /** Present for the files that were parsed, scored against the request. */
  definitions?: ScoredDefinition[];
}

export interface RankOptions {
  index: FileIndex;
  /** Every listed path: tests are found among them by name. */
  paths: string[];
  request: string;
  /** Paths the ranking may return (not excluded, not forced in already). */
  allowed: (path: string) => boolean;
  /** A file's text, read under the context rules; null when it cannot be read. */
  readText: (path: string) => Promise<string | null>;
}

export async function rankCodebase(options: RankOptions): Promise<RankedFile[]> {
  const { index, request, allowed } = options;
  const hits = index
    .rank(request)
    .filter((hit) => allowed(hit.path))
    .sort((a, b) => b.score - a.score);
  const best = hits[0]?.score ?? 0;
  if (!best) return [];
  const ranked = new Map<string, RankedFile>();
  for (const hit of hits)
    ranked.set(hit.path, { path: hit.path, score: hit.score / best, reason: 'ranked' });

  await scoreDefinitions(
    options,
    hits.slice(0, PARSED_FILES).map((hit) => hit.path),
    ranked,
  );
  addNeighbours(index, options.paths, ranked, allowed);
  return [...ranked.values()].sort((a, b) => b.score - a.score);
}

/** The definitions of a file, parsed once and kept in the index. */
export async function definitionsOf(
  index: FileIndex,
  path: string,
  text: string,
): Promise<Definition[]> {
  const known = index.files.get(path)?.definitions;
  if (known) return known;
  const found = await extractDefinitions(path, text);
  index.setDefinitions(path, found);
  return found;
}

/** Scores the definitions of the leading files; a file's best definition lifts the file. */
async function scoreDefinitions(
  options: RankOptions,
  paths: string[],
  ranked: Map<string, RankedFile>,
) {
  const search = new MiniSearch<{ id: number; name: string; text: string }>({
    fields: ['name', 'text'],
    tokenize: codeTerms,
    processTerm: (term) => term,
  });
  const all: { path: string; definition: ScoredDefinition }[] = [];
  for (const path of paths) {
    const text = await options.readText(path);
    if (text === null) continue;
    const starts = lineStarts(text);
    const definitions = (await definitionsOf(options.index, path, text)).map((definition) => ({
      ...definition,
      score: 0,
    }));
    for (const definition of definitions) {
      const from = starts[definition.start - 1] ?? 0;
      const to = starts[definition.end] ?? text.length;
      search.add({
        id: all.length,
        name: `${definition.name} ${definition.signature}`,
        // A class's first lines say what it is; its members are definitions of their own.
        text: text.slice(from, Math.min(to, from + DEFINITION_CHARS)),
      });
      all.push({ path, definition });
    }
    const file = ranked.get(path);
    if (file) file.definitions = definitions;
  }
  const hits = search.search(options.request, {
    boost: { name: 3 },
    prefix: (term) => term.length >= 5,
    weights: { fuzzy: 0, prefix: 0.3 },
  });
  const best = hits[0]?.score ?? 0;
  if (!best) return;
  const bestOfFile = new Map<string, number>();
  for (const hit of hits) {
    const entry = all[hit.id as number];
    if (!entry) continue;
    entry.definition.score = hit.score / best;
    bestOfFile.set(entry.path, Math.max(bestOfFile.get(entry.path) ?? 0, hit.score / best));
  }
  for (const [path, score] of bestOfFile) {
    const file = ranked.get(path);
    if (file) file.score += 0.5 * score;
  }
}

/** What the best hits import, what imports them, and their tests, each lifted by the hit. */
function addNeighbours(
  index: FileIndex,
  paths: string[],
  ranked: Map<string, RankedFile>,
  allowed: (path: string) => boolean,
) {
  const sources = [...ranked.values()]
    .filter((file) => !isTestPath(file.path))
    .sort((a, b) => b.score - a.score)
    .slice(0, NEIGHBOUR_SOURCES);
  const resolver = new ImportResolver([...index.files.keys()]);
  const lift = (path: string, score: number, reason: RankReason) => {
    // Tests are not in the index: they are read, under the same rules, if they are chosen.
    const known = index.files.get(path);
    if (!allowed(path) || (!known && !isTestPath(path)) || known?.unread) return;
    const file = ranked.get(path);
    if (!file) ranked.set(path, { path, score, reason });
    else if (file.score < score) Object.assign(file, { score, reason });
  };
  const stems = new Map(sources.map((source) => [stemOf(source.path), source]));
  for (const source of sources) {
    for (const specifier of index.files.get(source.path)?.imports ?? []) {
      for (const target of resolver.resolve(source.path, specifier))
        if (target !== source.path) lift(target, source.score * 0.45, 'imported by a hit');
    }
  }
  for (const [path, file] of index.files) {
    for (const specifier of file.imports) {
      // Cheap first: the import's last name must be a hit's name before it is resolved.
      const source = stems.get(importedName(specifier));
      if (!source || path === source.path) continue;
      if (resolver.resolve(path, specifier).includes(source.path))
        lift(path, source.score * 0.4, 'imports a hit');
    }
  }
  const testsOf = new Map<string, string[]>();
  for (const path of paths) {
    if (!isTestPath(path)) continue;
    const name = testedName(path);
    if (stems.has(name)) testsOf.set(name, [...(testsOf.get(name) ?? []), path]);
  }
  for (const source of sources) {
    for (const path of testsOf.get(stemOf(source.path)) ?? [])
      lift(path, source.score * 0.35, 'test of a hit');
  }
}

/** The last name of an import (`./cart/index.js` → cart, `pkg.models` → models, `crate::a::b` → b). */
function importedName(specifier: string): string {
  const parts = specifier
    .replace(/\.(m|c)?[jt]sx?$/, '')
    .split(/\/|::|\./)
    .filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  const name = INDEX_NAMES.has(last) && parts.length > 1 ? (parts[parts.length - 2] ?? '') : last;
  return name.toLowerCase();
}

const INDEX_NAMES = new Set(['index', '__init__', 'mod']);

/** The offset at which each line starts (and, last, the text's length). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

function stemOf(path: string): string {
  const name = posix.basename(path).replace(/\.[^.]*$/, '');
  return (INDEX_NAMES.has(name) ? posix.basename(posix.dirname(path)) : name).toLowerCase();
}

/** The name of what a test file tests: `foo.test.ts`, `test_foo.py`, `foo_test.go`, `FooTest.java`. */
function testedName(path: string): string {
  return stemOf(path)
    .replace(/[._-](test|spec)$/, '')
    .replace(/^test_/, '')
    .replace(/_test$/, '')
    .replace(/tests?$/, '');
}
