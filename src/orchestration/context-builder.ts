// Codebase context for the analysis phase: the file tree (git's file list in a repository,
// else a walk that honours .gitignore), key files (README, manifests, configs) and files
// matching --context globs, within a character budget. Binaries, lock files, build output and
// secrets are never read.
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

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
const SECRET =
  /(^|\/)(\.env(\..*)?|.*\.(pem|key|p12|pfx|keystore|jks)|id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|\.npmrc|\.pypirc|\.netrc|credentials(\.json)?|secrets?\.(json|ya?ml|toml))$/i;
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
  /^\.env\.example$/,
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

/** Every file under root, skipping ignored paths and the usual dependency and build folders. */
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
      } else if (entry.isFile() && !ignored(here, path)) {
        files.push(path);
      }
    }
  };
  await visit(root, []);
  return files.sort();
}

/** isbinaryfile is CommonJS: its function sits on the default export once bundled. */
async function binaryCheck(): Promise<(path: string) => Promise<boolean>> {
  const module = (await import('isbinaryfile')) as typeof import('isbinaryfile') & {
    default?: typeof import('isbinaryfile');
  };
  return module.default?.isBinaryFile ?? module.isBinaryFile;
}

/** Why a file's contents must not be read, if they must not. */
function unreadable(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (SECRET.test(path) && name !== '.env.example') return 'may hold secrets';
  if (LOCK_FILES.has(name)) return 'lock file';
  if (BUILD_OUTPUT.test(path)) return 'build output';
  if (BINARY_EXTENSIONS.test(name)) return 'binary';
  return null;
}

/** The tree as indented lines; past the limit, folders are summed up with their file counts. */
export function summarizeTree(paths: string[], maxLines = TREE_LINES): string {
  if (paths.length <= maxLines) return paths.join('\n');
  const counts = new Map<string, number>();
  const rootFiles: string[] = [];
  for (const path of paths) {
    const slash = path.indexOf('/');
    if (slash < 0) rootFiles.push(path);
    else counts.set(path.slice(0, slash), (counts.get(path.slice(0, slash)) ?? 0) + 1);
  }
  const lines = [...rootFiles.slice(0, maxLines / 2)];
  if (rootFiles.length > maxLines / 2)
    lines.push(`… ${rootFiles.length - maxLines / 2} more files at the root`);
  const dirs = [...counts].sort((a, b) => a[0].localeCompare(b[0]));
  const room = Math.max(1, Math.floor((maxLines - lines.length) / Math.max(1, dirs.length)));
  for (const [dir, count] of dirs) {
    lines.push(`${dir}/ (${count} files)`);
    const inside = paths.filter((p) => p.startsWith(`${dir}/`));
    for (const path of inside.slice(0, room - 1)) lines.push(`  ${path.slice(dir.length + 1)}`);
    if (inside.length > room - 1 && room > 1) lines.push(`  …`);
    if (lines.length >= maxLines * 1.5) break;
  }
  return lines.join('\n');
}

export async function gatherContext(options: ContextOptions): Promise<CodebaseContext> {
  const { root } = options;
  const budget = options.maxChars ?? DEFAULT_MAX_CONTEXT_CHARS;
  const fromGit = await gitFiles(root);
  const paths = (fromGit ?? (await walk(root))).filter(
    (path) => !path.split('/').some((part) => SKIPPED_DIRS.has(part)),
  );
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
    const full = join(root, path);
    const size = (await stat(full).catch(() => null))?.size ?? 0;
    if (size > MAX_FILE_BYTES) {
      skipped.push({ path, reason: 'too large' });
      continue;
    }
    if (await (await binaryCheck())(full).catch(() => true)) {
      skipped.push({ path, reason: 'binary' });
      continue;
    }
    const content = await readFile(full, 'utf8');
    const header = `=== ${path} ===\n`;
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
    fileTree: summarizeTree(paths),
    codebaseContext: sections.join('\n'),
    files,
    skipped,
  };
}
