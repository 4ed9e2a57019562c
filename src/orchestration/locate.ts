// The locate step: before the analysis, the model sees the request, the repository map and the
// ranked candidates, and names the files and definitions it needs. Its answer is JSON, checked
// here; only files of the listing (inside the root, readable, not secrets) are taken.
import * as z from '../core/zod.js';
import { parseJsonOutput } from '../workflows/json-output.js';
import type { CodebaseContext } from './context-builder.js';
import { unreadable } from './retrieval/repo-files.js';

/** The model may ask for at most this many files. */
export const MAX_LOCATED_FILES = 15;
/** The map and candidates shown to the model. */
export const LOCATE_MAP_TOKENS = 6_000;

const answerSchema = z.object({
  files: z.array(
    z.object({
      path: z.string().check(z.minLength(1)),
      symbols: z.optional(z.array(z.string())),
      why: z.optional(z.string()),
    }),
  ),
});

export interface LocatedFile {
  path: string;
  symbols: string[];
  why?: string;
}

export function locatePrompt(featureRequest: string, candidates: CodebaseContext): string {
  return `You are choosing the code an engineer must read to plan a feature in this repository.

# Feature request
${featureRequest}

# Candidate files, ranked by relevance to the request (each definition with its line and signature)
${candidates.repoMap || '(none)'}

# Your answer
Name the files (at most ${MAX_LOCATED_FILES}) whose code must be read to plan this feature: where it
hooks in, what it changes, what it must stay consistent with. For each, name the definitions
that matter (functions, classes, methods, types) as they appear in the map. Use only paths
from the map above. Answer with JSON alone, in this shape:

{"files": [{"path": "src/example.ts", "symbols": ["exampleFunction"], "why": "where the new option is parsed"}]}`;
}

export interface LocateResult {
  files: LocatedFile[];
  /** Paths the model named that are not taken, and why. */
  refused: { path: string; reason: string }[];
}

/** The files the model asked for; throws a ValidationError when the answer cannot be used. */
export async function parseLocateAnswer(
  answer: string,
  paths: readonly string[],
): Promise<LocateResult> {
  const value = await parseJsonOutput(answer, undefined);
  const parsed = answerSchema.safeParse(value);
  if (!parsed.success) throw new Error('the answer is not {"files": [{"path", "symbols"}]}');
  const known = new Set(paths);
  const files: LocatedFile[] = [];
  const refused: LocateResult['refused'] = [];
  for (const file of parsed.data.files) {
    const path = file.path.trim().replace(/^\.\//, '');
    const why = unreadable(path) ?? (known.has(path) ? null : 'not a file of the codebase');
    if (why) {
      refused.push({ path, reason: `named by the model, refused: ${why}` });
      continue;
    }
    if (files.some((taken) => taken.path === path)) continue;
    if (files.length >= MAX_LOCATED_FILES) break;
    files.push({ path, symbols: file.symbols ?? [], ...(file.why ? { why: file.why } : {}) });
  }
  return { files, refused };
}
