// Codebase context for the analysis phase: the file tree (git's file list in a repository,
// else a walk that honours .gitignore), key files (README, manifests, configs) and files
// matching --context globs, within a character budget. Binaries, lock files, build output and
// secrets are never read, and nothing is read through a symlink or outside the root.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { lstat, open, readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { displayPath, summarizeTree } from './file-tree.js';
import {
  ENV_TEMPLATE,
  holdsPrivateKey,
  KEY_PROBE_BYTES,
  secretByName,
  withoutValues,
} from './secret-files.js';

export const DEFAULT_MAX_CONTEXT_CHARS = 60_000;
const TREE_LINES = 200;
const MAX_FILE_BYTES = 1_000_000;

const SKIPPED_DIRS = new Set([
  '.git',
  'node_modules',
  'dist',
  'build',
  'out',
  'target',
  'coverage',
  '.next',
  '.nuxt',
  'vendor',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.cache',
  '.turbo',
  '.gradle',
  '.idea',
]);
const LOCK_FILES = new Set([
  'package-lock.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'Cargo.lock',
  'poetry.lock',
  'Pipfile.lock',
  'Gemfile.lock',
  'composer.lock',
  'go.sum',
  'uv.lock',
]);
const BUILD_OUTPUT = /(^|\/)(dist|build|out|target|coverage)\/|\.min\.(js|css)$|\.map$/;
const BINARY_EXTENSIONS =
  /\.(png|jpe?g|gif|webp|ico|bmp|tiff?|pdf|zip|gz|tgz|bz2|xz|7z|rar|jar|war|class|exe|dll|so|dylib|a|o|bin|wasm|woff2?|ttf|otf|eot|mp[34]|mov|avi|mkv|webm|wav|flac|ogg|sqlite|db|pyc)$/i;
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

export interface ContextOptions {
  root: string;
  /** Globs of files to include (relative to the root). */
  globs?: string[];
  maxChars?: number;
}

export interface IncludedFile {
  path: string;
  chars: number;
  truncated: boolean;
  reason: 'key file' | 'matches --context';
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
  codebaseContext: string;
  files: IncludedFile[];
  /** Files wanted but left out: secrets, binaries, lock files, or over the budget. */
  skipped: { path: string; reason: string }[];
}

const run = promisify(execFile);

async function gitFiles(root: string): Promise<string[] | null> {
  try {
    const { stdout } = await run(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', '-z'],
      {
        cwd: root,
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    return stdout.split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/** A .gitignore's rules, which apply to paths relative to its own folder. */
interface Rules {
  base: string;
  rules: Ignore;
}

function ignored(scopes: Rules[], path: string): boolean {
  return scopes.some(({ base, rules }) => {
    if (!base) return rules.ignores(path);
    return path.startsWith(`${base}/`) && rules.ignores(path.slice(base.length + 1));
  });
}

/** Every file and symlink under root (symlinks are not entered), skipping ignored paths and the usual dependency and build folders. */
async function walk(root: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (dir: string, scopes: Rules[]) => {
    const base = relative(root, dir).split(sep).join('/');
    const local = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => null);
    const here = local === null ? scopes : [...scopes, { base, rules: ignore().add(local) }];
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = base ? `${base}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !ignored(here, `${path}/`)) {
          await visit(join(dir, entry.name), here);
        }
      } else if ((entry.isFile() || entry.isSymbolicLink()) && !ignored(here, path)) {
        files.push(path);
      }
    }
  };
  await visit(root, []);
  return files.sort();
}

/** isbinaryfile is CommonJS: its function sits on the default export once bundled. */
async function binaryCheck(): Promise<(bytes: Buffer, size: number) => Promise<boolean>> {
  const module = (await import('isbinaryfile')) as typeof import('isbinaryfile') & {
    default?: typeof import('isbinaryfile');
  };
  return module.default?.isBinaryFile ?? module.isBinaryFile;
}

/** Why a file's contents must not be read, if they must not. */
function unreadable(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (secretByName(path)) return 'may hold secrets';
  if (LOCK_FILES.has(name)) return 'lock file';
  if (BUILD_OUTPUT.test(path)) return 'build output';
  if (BINARY_EXTENSIONS.test(name)) return 'binary';
  return null;
}

type Read = { text: string } | { skipped: string };

/**
 * A file's text, only if it is a regular file whose real path is the one under the real root
 * (no symlink on the way, to a file or a folder), opened without following a link.
 */
async function readInside(root: string, realRoot: string, path: string): Promise<Read> {
  const full = join(root, path);
  const info = await lstat(full).catch(() => null);
  if (!info) return { skipped: 'missing' };
  if (info.isSymbolicLink()) return { skipped: 'symlink, not followed' };
  if (!info.isFile()) return { skipped: 'not a regular file' };
  const real = await realpath(full).catch(() => null);
  if (real !== join(realRoot, path)) return { skipped: 'reached through a symlink' };
  const handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return { skipped: 'cannot be read' };
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { skipped: 'not a regular file' };
    if (opened.size > MAX_FILE_BYTES) return { skipped: 'too large' };
    const bytes = await handle.readFile();
    if (await (await binaryCheck())(bytes, bytes.length).catch(() => true))
      return { skipped: 'binary' };
    const text = bytes.toString('utf8');
    if (holdsPrivateKey(text.slice(0, KEY_PROBE_BYTES))) return { skipped: 'may hold secrets' };
    return { text: ENV_TEMPLATE.test(path) ? withoutValues(text) : text };
  } finally {
    await handle.close();
  }
}

export async function gatherContext(options: ContextOptions): Promise<CodebaseContext> {
  const { root } = options;
  const realRoot = await realpath(root);
  const budget = options.maxChars ?? DEFAULT_MAX_CONTEXT_CHARS;
  const fromGit = await gitFiles(root);
  const paths = (fromGit ?? (await walk(root))).filter(
    (path) => !path.split('/').some((part) => SKIPPED_DIRS.has(part)),
  );
  const links = await Promise.all(
    paths.map(async (path) => (await lstat(join(root, path)).catch(() => null))?.isSymbolicLink()),
  );
  const symlinks = paths.filter((_, index) => links[index]);
  const isKey = (path: string) => !path.includes('/') && KEY_FILES.some((re) => re.test(path));
  const matchers = (options.globs ?? []).map((glob) => picomatch(glob, { dot: true }));
  const wanted: { path: string; reason: IncludedFile['reason'] }[] = [
    ...paths.filter(isKey).map((path) => ({ path, reason: 'key file' as const })),
    ...paths
      .filter((path) => !isKey(path) && matchers.some((match) => match(path)))
      .map((path) => ({ path, reason: 'matches --context' as const })),
  ];

  const files: IncludedFile[] = [];
  const skipped: CodebaseContext['skipped'] = [];
  const sections: string[] = [];
  let used = 0;
  for (const { path, reason } of wanted) {
    const why = unreadable(path);
    if (why) {
      skipped.push({ path, reason: why });
      continue;
    }
    if (used >= budget) {
      skipped.push({ path, reason: 'over the context budget' });
      continue;
    }
    const read = await readInside(root, realRoot, path);
    if ('skipped' in read) {
      skipped.push({ path, reason: read.skipped });
      continue;
    }
    const content = read.text;
    const header = `=== ${displayPath(path)} ===\n`;
    const room = budget - used - header.length;
    const truncated = content.length > room;
    const body = truncated ? `${content.slice(0, Math.max(0, room))}\n… (truncated)` : content;
    sections.push(`${header}${body}${body.endsWith('\n') ? '' : '\n'}`);
    used += header.length + Math.min(content.length, Math.max(0, room));
    files.push({ path, chars: Math.min(content.length, Math.max(0, room)), truncated, reason });
  }
  return {
    root,
    source: fromGit ? 'git' : 'walk',
    totalFiles: paths.length,
    paths,
    symlinks,
    fileTree: summarizeTree(paths, TREE_LINES, new Set(symlinks)),
    codebaseContext: sections.join('\n'),
    files,
    skipped,
  };
}
