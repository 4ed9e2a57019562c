// What the orchestration phases see of the codebase: the project's root (or --root), ranked
// against the feature request within a token budget fitted to the model, the search index
// kept in the user cache folder.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../core/config.js';
import { ValidationError } from '../core/errors.js';
import type { ProjectRecord } from '../db/repositories/project-repository.js';
import { type CodebaseContext, gatherContext } from '../orchestration/context-builder.js';
import { summarizeTree } from '../orchestration/file-tree.js';
import {
  LOCATE_MAP_TOKENS,
  type LocateResult,
  locatePrompt,
  parseLocateAnswer,
} from '../orchestration/locate.js';
import type { FileIndexProgress } from '../orchestration/retrieval/file-index.js';

/** The plan phase sees a map of this many tokens: enough to name the real modules. */
export const PLAN_MAP_TOKENS = 3_000;

export interface ContextEnvironment {
  cwd: string;
  cacheDir?: string;
  config: () => Config;
}

export interface ContextFlags {
  root?: string;
  globs?: string[];
  exclude?: string[];
  maxTokens?: number;
  maxChars?: number;
  /** The model the context is for: a small context window lowers the default budget. */
  model?: string;
  /** Files the locate step asked for, with the definitions it named. */
  requested?: { path: string; symbols: string[] }[];
  /** Only the map of the ranked files (what the locate step is shown). */
  mapOnly?: boolean;
  onProgress?: (progress: FileIndexProgress) => void;
}

export function projectVariables(project: ProjectRecord) {
  return {
    name: project.name,
    description: project.description ?? '',
    rootPath: project.rootPath ?? '',
  };
}

/** The codebase a phase reads: --root (from the working folder), else the project's root. */
export function contextRoot(cwd: string, project: ProjectRecord, flag: string | undefined): string {
  const root = flag ? resolve(cwd, flag) : project.rootPath;
  if (!root) {
    throw new ValidationError(`Project "${project.name}" has no root directory`, {
      hint: `set it with \`prompt-runner project update ${project.name} --root <dir>\`, or pass --root`,
    });
  }
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ValidationError(`Root directory ${root} does not exist`);
  }
  return root;
}

export function codebaseContext(
  environment: ContextEnvironment,
  project: ProjectRecord,
  featureRequest: string,
  flags: ContextFlags,
): Promise<CodebaseContext> {
  return gatherContext({
    root: contextRoot(environment.cwd, project, flags.root),
    featureRequest,
    globs: flags.globs,
    exclude: flags.exclude,
    requested: flags.requested,
    mapOnly: flags.mapOnly,
    maxTokens: flags.maxTokens,
    maxChars: flags.maxChars,
    model: flags.model,
    windows: environment.config().contextWindows,
    cacheDir: environment.cacheDir,
    onProgress: flags.onProgress,
  });
}

/** The plan phase's view: a short file tree and a map of the files the request is about. */
export async function planView(
  environment: ContextEnvironment,
  project: ProjectRecord,
  featureRequest: string,
): Promise<{ fileTree: string; repoMap: string }> {
  if (!project.rootPath || !existsSync(project.rootPath)) {
    const none = '(the project has no root directory)';
    return { fileTree: none, repoMap: none };
  }
  const context = await gatherContext({
    root: project.rootPath,
    featureRequest,
    mapOnly: true,
    maxTokens: PLAN_MAP_TOKENS,
    cacheDir: environment.cacheDir,
  });
  return {
    fileTree: summarizeTree(context.paths, 60, new Set(context.symlinks)),
    repoMap: context.repoMap || '(no file matched the request)',
  };
}

/**
 * The locate step: the model names the files and definitions it needs from the ranked map
 * (`ask` sends the prompt as a call of the session). An answer that cannot be used leaves the
 * choice to the ranking, with a warning.
 */
export async function locateFiles(
  environment: ContextEnvironment,
  project: ProjectRecord,
  featureRequest: string,
  flags: ContextFlags & { onWarning?: (message: string) => void },
  ask: (prompt: string) => Promise<string>,
): Promise<LocateResult | null> {
  const candidates = await codebaseContext(environment, project, featureRequest, {
    ...flags,
    mapOnly: true,
    maxTokens: LOCATE_MAP_TOKENS,
  });
  if (!candidates.repoMap) return null;
  const answer = await ask(locatePrompt(featureRequest, candidates));
  const links = new Set(candidates.symlinks);
  const fallback = 'the ranking alone chose the files';
  try {
    const result = await parseLocateAnswer(
      answer,
      candidates.paths.filter((path) => !links.has(path)),
    );
    if (result.files.length === 0)
      flags.onWarning?.(`The locate step named no usable file: ${fallback}`);
    return result;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    flags.onWarning?.(`The locate step's answer could not be used (${reason}): ${fallback}`);
    return null;
  }
}
