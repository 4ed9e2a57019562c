// The files of a codebase and how they are read: git's file list in a repository, else a walk
// that honours .gitignore; dependency and build folders, lock files, binaries and secrets are
// never read, and nothing is read through a symlink or outside the root.
import { execFile } from 'node:child_process';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
} from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import ignore, { type Ignore } from 'ignore';
import { isBinaryFileSync } from 'isbinaryfile';
import {
  ENV_TEMPLATE,
  holdsPrivateKey,
  KEY_PROBE_BYTES,
  secretByName,
  withoutValues,
} from '../secret-files.js';

export const MAX_FILE_BYTES = 1_000_000;

export const SKIPPED_DIRS = new Set([
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
const run = promisify(execFile);

/** A listing: the paths, those known to be symlinks, and those whose kind is not known. */
interface Listing {
  paths: string[];
  links: string[];
  unknown: string[];
}

/**
 * git's file list: tracked files with their modes (120000 is a symlink) and untracked files
 * that are not ignored, asked for at once.
 */
async function gitFiles(root: string): Promise<Listing | null> {
  const git = (args: string[]) =>
    run('git', args, { cwd: root, maxBuffer: 256 * 1024 * 1024 }).then(({ stdout }) =>
      stdout.split('\0').filter(Boolean),
    );
  try {
    const [staged, untracked] = await Promise.all([
      git(['ls-files', '--cached', '--stage', '-z']),
      git(['ls-files', '--others', '--exclude-standard', '-z']),
    ]);
    const paths = new Set<string>();
    const links: string[] = [];
    for (const entry of staged) {
      const tab = entry.indexOf('\t');
      const path = entry.slice(tab + 1);
      if (paths.has(path)) continue;
      paths.add(path);
      if (entry.startsWith('120000 ')) links.push(path);
    }
    for (const path of untracked) paths.add(path);
    return { paths: [...paths].sort(), links, unknown: untracked };
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
async function walk(root: string): Promise<Listing> {
  const files: string[] = [];
  const links: string[] = [];
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
        if (entry.isSymbolicLink()) links.push(path);
      }
    }
  };
  await visit(root, []);
  return { paths: files.sort(), links, unknown: [] };
}

/** Why a file's contents must not be read, if they must not. */
export function unreadable(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (secretByName(path)) return 'may hold secrets';
  if (LOCK_FILES.has(name)) return 'lock file';
  if (BUILD_OUTPUT.test(path)) return 'build output';
  if (BINARY_EXTENSIONS.test(name)) return 'binary';
  return null;
}

export type Read = { text: string } | { skipped: string };

/**
 * A file's text, only if it is a regular file whose real path is the one under the real root
 * (no symlink on the way, to a file or a folder), opened without following a link. Synchronous:
 * an index reads thousands of files, and the promise-based calls cost several times more.
 */
export function readInside(root: string, realRoot: string, path: string): Read {
  const full = join(root, path);
  const info = lstatOrNull(full);
  if (!info) return { skipped: 'missing' };
  if (info.isSymbolicLink()) return { skipped: 'symlink, not followed' };
  if (!info.isFile()) return { skipped: 'not a regular file' };
  if (realpathOrNull(full) !== join(realRoot, path))
    return { skipped: 'reached through a symlink' };
  let fd: number;
  try {
    fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return { skipped: 'cannot be read' };
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { skipped: 'not a regular file' };
    if (opened.size > MAX_FILE_BYTES) return { skipped: 'too large' };
    const bytes = readFileSync(fd);
    if (binary(bytes)) return { skipped: 'binary' };
    const text = bytes.toString('utf8');
    if (holdsPrivateKey(text.slice(0, KEY_PROBE_BYTES))) return { skipped: 'may hold secrets' };
    return { text: ENV_TEMPLATE.test(path) ? withoutValues(text) : text };
  } catch {
    return { skipped: 'cannot be read' };
  } finally {
    closeSync(fd);
  }
}

function binary(bytes: Buffer): boolean {
  try {
    return isBinaryFileSync(bytes, bytes.length);
  } catch {
    return true;
  }
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

export interface FileList {
  /** How the list was made. */
  source: 'git' | 'walk';
  /** Every path, dependency and build folders left out. */
  paths: string[];
  /** Paths known from the listing itself to be symlinks (tracked ones in git, all in a walk). */
  links: Set<string>;
  /** Paths whose kind the listing does not tell (untracked files in git). */
  unknown: Set<string>;
}

export async function listFiles(root: string): Promise<FileList> {
  const fromGit = await gitFiles(root);
  const listing = fromGit ?? (await walk(root));
  const paths = listing.paths.filter(
    (path) => !path.split('/').some((part) => SKIPPED_DIRS.has(part)),
  );
  return {
    source: fromGit ? 'git' : 'walk',
    paths,
    links: new Set(listing.links),
    unknown: new Set(listing.unknown),
  };
}
