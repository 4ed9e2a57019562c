// What an analysis was given, kept on its session: the root, its git commit, and each file
// with the line ranges sent and a hash of its content, so later phases can tell whether the
// code has changed under the analysis.
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import type { CodebaseContext } from './context-builder.js';
import { gitHead } from './retrieval/file-index.js';
import type { LineRange } from './retrieval/packing.js';
import { readInside } from './retrieval/repo-files.js';

export interface ContextManifest {
  root: string;
  /** The git commit the root was at, if it is a repository. */
  commit: string | null;
  files: { path: string; reason: string; ranges: LineRange[]; sha256: string }[];
  tokens: number;
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function buildManifest(context: CodebaseContext): Promise<ContextManifest> {
  return {
    root: context.root,
    commit: await gitHead(context.root),
    files: context.files.map(({ path, reason, ranges, sha256 }) => ({
      path,
      reason,
      ranges,
      sha256,
    })),
    tokens: context.budget.usedTokens,
  };
}

export function parseManifest(text: string | null): ContextManifest | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as ContextManifest;
  } catch {
    return null;
  }
}

/** Files of the manifest whose content is no longer what the analysis read. */
export async function changedFiles(
  manifest: ContextManifest,
): Promise<{ path: string; change: 'changed' | 'gone' }[]> {
  const realRoot = await realpath(manifest.root).catch(() => null);
  if (!realRoot) return manifest.files.map(({ path }) => ({ path, change: 'gone' as const }));
  const changed: { path: string; change: 'changed' | 'gone' }[] = [];
  for (const file of manifest.files) {
    const read = readInside(manifest.root, realRoot, file.path);
    if ('skipped' in read) changed.push({ path: file.path, change: 'gone' });
    else if (contentHash(read.text) !== file.sha256)
      changed.push({ path: file.path, change: 'changed' });
  }
  return changed;
}
