// The cases of the recall benchmark, chosen from real git history by a fixed rule:
// `node tests/bench/recall-select.mjs` walks each repository's first-parent history back from
// a fixed commit and writes tests/bench/recall-repos.json (repositories, commits and their
// parents; never their contents). Re-running it gives the same file.
// RECALL_MIRRORS names the folder that holds the repositories (default .bench-repos/ in this
// repository, ignored by git): each as owner+name/ (or owner/name/), a clone or a bare git
// directory (`git clone --bare https://github.com/encode/httpx .bench-repos/encode+httpx`). This repository is one source
// too, read from its own .git.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const listFile = fileURLToPath(new URL('./recall-repos.json', import.meta.url));
export const mirrors = process.env.RECALL_MIRRORS ?? join(root, '.bench-repos');

/** Cases taken from each repository. */
export const PER_REPOSITORY = 15;

/** The repositories and the commit each walk starts from. `self` is this repository. */
export const SOURCES = [
  { repo: 'encode/httpx', language: 'Python', start: 'ae1b9f66238f75ced3ced5e4485408435de10768' },
  {
    repo: 'encode/starlette',
    language: 'Python',
    start: 'cb8f84f5284dc301ca7a31eb732b9e140769dd48',
  },
  {
    repo: 'fastify/fastify',
    language: 'JavaScript',
    start: '83e69762aff047940b376fc2a266d143499ef727',
  },
  {
    repo: 'honojs/hono',
    language: 'TypeScript',
    start: '28a9c128912de19f3fb28b00ae289c9b93f6f392',
  },
  { repo: 'spf13/cobra', language: 'Go', start: 'adbc8813901bba65827259daa8e22ff94ec1f30e' },
  { repo: 'junegunn/fzf', language: 'Go', start: '956562daaa82ddf55ea8f7aeab56883377b742c6' },
  {
    repo: 'BurntSushi/ripgrep',
    language: 'Rust',
    start: '3fce3b5bb0236da2df6d99672afb8a719642eca7',
  },
  {
    repo: 'prompt-runner',
    self: true,
    language: 'TypeScript',
    start: '18f0f83896e486c842c88cd1866a986fd1ae674c',
  },
];

export const RULE =
  `Walk each repository's first-parent history back from its start commit and take the first ` +
  `${PER_REPOSITORY} commits that (a) have exactly one parent; (b) change 1 to 3 source files ` +
  `that are not tests (source: a known language's extension; tests: a path with a test/, ` +
  `tests/ or __tests__/ folder, *_test.go, test_*.py, *.test.*, *.spec.*, *Test.java), every ` +
  `other changed file being a test or documentation (.md, .rst, .txt, .adoc, a doc/, docs/ or ` +
  `man/ folder); (c) have a subject of at least 4 words (a trailing pull-request number not ` +
  `counted) that is not a merge, a revert, a version bump or release, or about typos, ` +
  `formatting or linting; (d) only modify those source files (each exists in the parent, no ` +
  `rename). The commit's message is the feature request, the parent's tree the codebase, and ` +
  `the changed source files with the parent-side line ranges of their hunks what the context ` +
  `must hold.`;

const SOURCE_EXTENSIONS = new Set(
  (
    'py pyi js mjs cjs jsx ts tsx mts cts go rs java kt kts scala rb php c h cc cpp cxx hpp cs ' +
    'swift m mm lua ex exs erl hs ml clj dart zig sh bash zsh fish'
  ).split(' '),
);
const DOC_EXTENSIONS = new Set(['md', 'markdown', 'rst', 'txt', 'adoc']);

function extension(path) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function isTest(path) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (
    /(^|\/)(test|tests|__tests__)\//.test(path) ||
    /_test\.go$/.test(name) ||
    /^test_.*\.py$/.test(name) ||
    /\.(test|spec)\./.test(name) ||
    /Test\.java$/.test(name)
  );
}

export function isSource(path) {
  return SOURCE_EXTENSIONS.has(extension(path));
}

function isDoc(path) {
  return DOC_EXTENSIONS.has(extension(path)) || /(^|\/)(doc|docs|man)\//.test(path);
}

function subjectFits(subject) {
  const words = subject
    .replace(/\s*\(#\d+\)\s*$/, '')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length < 4) return false;
  if (/^"?(merge|revert)\b/i.test(subject)) return false;
  if (
    /\btypos?\b|\b(re)?format(s|ted|ting|ter|ters)?\b|\blint(s|ed|ing|er|ers)?\b/i.test(subject)
  ) {
    return false;
  }
  if (/^v?\d+(\.\d+)+\b/.test(subject)) return false;
  if (/^(bump|bumped|release|chore\(release\))\b/i.test(subject)) return false;
  if (/\b(bump|bumped|release|released|releasing|version)\b.*\bv?\d+\.\d+/i.test(subject)) {
    return false;
  }
  return true;
}

/** The git directory of a source, or null when it is not on this machine. */
export function findGitDir(source) {
  if (source.self) {
    try {
      return execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return null;
    }
  }
  const [owner, name] = source.repo.split('/');
  const isGitDir = (dir) => existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'));
  for (const base of [join(mirrors, `${owner}+${name}`), join(mirrors, owner, name)]) {
    if (!existsSync(base)) continue;
    if (isGitDir(base)) return base;
    if (isGitDir(join(base, '.git'))) return join(base, '.git');
    for (const entry of readdirSync(base).sort()) {
      const dir = join(base, entry);
      if (!statSync(dir).isDirectory()) continue;
      if (isGitDir(dir)) return dir;
      if (isGitDir(join(dir, '.git'))) return join(dir, '.git');
    }
  }
  return null;
}

/** Whether the git directory holds a commit (a shallow clone may not). */
export function hasCommit(gitDir, commit) {
  try {
    git(gitDir, ['cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

export function git(gitDir, args) {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** [status, path] for every file a commit changes against its parent, renames as delete + add. */
export function changedFiles(gitDir, parent, commit) {
  const fields = git(gitDir, [
    'diff-tree',
    '-r',
    '--no-renames',
    '--name-status',
    '-z',
    parent,
    commit,
  ])
    .split('\0')
    .filter(Boolean);
  const changes = [];
  for (let i = 0; i + 1 < fields.length; i += 2) changes.push([fields[i], fields[i + 1]]);
  return changes;
}

/** The changed source files (not tests) a case's context must hold, or null when the commit does not fit. */
export function caseFiles(gitDir, parent, commit) {
  const changes = changedFiles(gitDir, parent, commit);
  const sources = [];
  for (const [status, path] of changes) {
    if (isTest(path)) continue;
    if (isSource(path)) {
      if (status !== 'M') return null;
      sources.push(path);
    } else if (!isDoc(path)) {
      return null;
    }
  }
  return sources.length >= 1 && sources.length <= 3 ? sources : null;
}

/**
 * The parent-side hunks of a commit in the given files: {path, start, count}, where count 0 is
 * a pure insertion after line `start`.
 */
export function hunks(gitDir, parent, commit, paths) {
  const diff = git(gitDir, [
    'diff',
    '-U0',
    '--no-renames',
    '--no-color',
    '--no-ext-diff',
    parent,
    commit,
    '--',
    ...paths,
  ]);
  const found = [];
  let path = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('--- ')) {
      path = line === '--- /dev/null' ? null : line.slice(6);
    } else if (line.startsWith('@@ ') && path) {
      const match = /^@@ -(\d+)(?:,(\d+))? \+/.exec(line);
      if (match) {
        found.push({
          path,
          start: Number(match[1]),
          count: match[2] === undefined ? 1 : Number(match[2]),
        });
      }
    }
  }
  return found;
}

export function select(source, gitDir) {
  const log = git(gitDir, ['log', '--first-parent', '--format=%H %P%x1f%s%x1e', source.start]);
  const commits = [];
  for (const record of log.split('\x1e')) {
    if (commits.length === PER_REPOSITORY) break;
    const [ids, subject] = record.trim().split('\x1f');
    if (!ids) continue;
    const [commit, ...parents] = ids.split(' ');
    if (parents.length !== 1 || !subjectFits(subject)) continue;
    if (!caseFiles(gitDir, parents[0], commit)) continue;
    commits.push({ commit, parent: parents[0] });
  }
  return commits;
}

function main() {
  const repositories = [];
  const missing = [];
  for (const source of SOURCES) {
    const gitDir = findGitDir(source);
    if (!gitDir || !hasCommit(gitDir, source.start)) {
      missing.push(source.repo);
      continue;
    }
    const commits = select(source, gitDir);
    repositories.push({
      repo: source.repo,
      ...(source.self ? { self: true } : {}),
      language: source.language,
      start: source.start,
      commits,
    });
    console.log(`${source.repo.padEnd(22)} ${source.language.padEnd(11)} ${commits.length} cases`);
  }
  if (missing.length) {
    console.error(
      `Not found under ${mirrors}, or without the start commit (nothing written): ${missing.join(', ')}`,
    );
    process.exitCode = 1;
    return;
  }
  const list = { rule: RULE, perRepository: PER_REPOSITORY, repositories };
  writeFileSync(listFile, `${JSON.stringify(list, null, 2)}\n`);
  const total = repositories.reduce((sum, r) => sum + r.commits.length, 0);
  console.log(`${total} cases written to ${listFile}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
