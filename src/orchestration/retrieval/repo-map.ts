// The repository map: files in rank order with the line and signature of each top-level
// definition, so a model sees where things are beyond the excerpts it was given.
import { displayPath } from '../file-tree.js';
import type { Definition } from './definitions.js';
import type { TokenCounter } from './tokens.js';

/** At most this many definitions are listed for a file. */
const DEFINITIONS_PER_FILE = 8;

function entryText(entry: { path: string; definitions?: Definition[] }): string {
  const shown = (entry.definitions ?? [])
    .filter((d) => d.depth === 0 && d.kind !== 'block')
    .slice(0, DEFINITIONS_PER_FILE);
  const lines = shown.map((d) => `  ${d.line}| ${d.signature}`);
  return [displayPath(entry.path), ...lines].join('\n');
}

/**
 * As many files as fit in the budget, in the order given, each with its definitions when
 * `definitionsOf` gives them (it may parse a file: it is asked only while room is left).
 */
export async function buildRepoMap(
  paths: string[],
  definitionsOf: (path: string) => Promise<Definition[] | undefined>,
  budget: number,
  count: TokenCounter,
): Promise<string> {
  const parts: string[] = [];
  let used = 0;
  for (const path of paths) {
    const bare = displayPath(path);
    const bareTokens = count(bare) + 1;
    if (used + bareTokens > budget) break;
    const text = entryText({ path, definitions: await definitionsOf(path) });
    const tokens = text === bare ? bareTokens : count(text) + 1;
    // A bare path may still fit where the signatures do not.
    const fits = used + tokens <= budget;
    parts.push(fits ? text : bare);
    used += fits ? tokens : bareTokens;
  }
  return parts.join('\n');
}
