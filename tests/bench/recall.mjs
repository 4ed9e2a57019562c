// Recall of the codebase context that `orchestrate analyze` sends: for each case of
// recall-repos.json (a commit of a real repository: its message is the feature request, its
// parent's tree the codebase), does the context hold the source files the commit changed and
// the parent-side lines of every hunk? Three configurations side by side, each at two budgets:
// the retrieval by feature request, the key files alone (as before retrieval), and a BM25
// ranking of whole files poured into the same budget.
// Only with BENCH_ONLY=recall: it needs the repositories (see recall-select.mjs for where they
// are looked for; missing ones are named and skipped). RECALL_REPOS=owner/name,… picks
// repositories, RECALL_CASES=N takes the first N cases of each.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  caseFiles,
  findGitDir,
  git,
  hasCommit,
  hunks,
  listFile,
  mirrors,
  root,
} from './recall-select.mjs';

const BUDGETS = [24_000, 15_000];
const CONFIGS = [
  { key: 'New', name: 'new retrieval' },
  { key: 'Old', name: 'old behaviour (key files)' },
  { key: 'Bm25', name: 'BM25 whole files' },
];
const TARGET_FILES = 80;
const TARGET_REGIONS = 60;
const MAX_FILE_BYTES = 1_000_000;

/** Token counting with the o200k_base encoder when it can be loaded, else characters / 4. */
async function tokenCounter() {
  try {
    const { countTokens, isWithinTokenLimit } = await import('gpt-tokenizer/encoding/o200k_base');
    return { exact: true, count: countTokens, within: isWithinTokenLimit };
  } catch {
    const count = (text) => Math.ceil(text.length / 4);
    return { exact: false, count, within: (text, limit) => count(text) <= limit && count(text) };
  }
}

/** The commit message as a feature request, without trailers such as Signed-off-by. */
function featureRequest(gitDir, commit) {
  return git(gitDir, ['log', '-1', '--format=%B', commit])
    .split('\n')
    .filter((line) => !/^[\w-]+-by: /i.test(line))
    .join('\n')
    .trim();
}

/**
 * The parent's tree as a git repository of its own, its objects borrowed from the source
 * (nothing copied but the checked-out files), HEAD at the parent.
 */
function materialise(gitDir, parent, dir) {
  mkdirSync(dir, { recursive: true });
  const quiet = { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] };
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], quiet);
  writeFileSync(join(dir, '.git', 'objects', 'info', 'alternates'), `${resolve(gitDir)}/objects\n`);
  execFileSync('git', ['read-tree', parent], quiet);
  execFileSync('git', ['checkout-index', '-a', '-f'], quiet);
  execFileSync('git', ['update-ref', 'HEAD', parent], quiet);
}

function tracked(dir) {
  return execFileSync('git', ['ls-files', '-z'], { cwd: dir, maxBuffer: 1 << 28 })
    .toString()
    .split('\0')
    .filter(Boolean);
}

/** Words of code and prose: each identifier whole and split on camelCase and snake_case. */
function terms(text) {
  const found = [];
  for (const word of text.match(/[\p{L}\p{N}_$]+/gu) ?? []) {
    const whole = word.toLowerCase();
    if (whole.length > 1) found.push(whole);
    const parts = word
      .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
      .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1 $2')
      .split(/[\s_$]+/);
    if (parts.length > 1) {
      for (const part of parts) {
        const term = part.toLowerCase();
        if (term.length > 1 && term !== whole) found.push(term);
      }
    }
  }
  return found;
}

/** The baseline: every text file ranked by BM25 against the request, whole files in rank order. */
async function bm25Context(MiniSearch, tokens, dir, request, maxTokens) {
  const docs = [];
  for (const path of tracked(dir)) {
    const full = join(dir, path);
    const info = lstatSync(full, { throwIfNoEntry: false });
    if (!info?.isFile() || info.size > MAX_FILE_BYTES) continue;
    const bytes = readFileSync(full);
    if (bytes.subarray(0, 8000).includes(0)) continue;
    docs.push({ id: docs.length, path, text: bytes.toString('utf8') });
  }
  const index = new MiniSearch({
    fields: ['path', 'text'],
    tokenize: terms,
    processTerm: (term) => term,
    searchOptions: { boost: { path: 2 }, combineWith: 'OR' },
  });
  index.addAll(docs);
  const files = [];
  const sections = [];
  let used = 0;
  for (const { id } of index.search(request)) {
    if (maxTokens - used < 16) break;
    const { path, text } = docs[id];
    const section = `=== ${path} ===\n${text}${text.endsWith('\n') ? '' : '\n'}\n`;
    const size = tokens.within(section, maxTokens - used);
    if (size === false) continue;
    used += size;
    sections.push(section);
    files.push({ path, whole: true, tokens: size });
  }
  return { files, codebaseContext: sections.join(''), budget: { maxTokens, usedTokens: used } };
}

/** Line count of a text, a last line without a newline counted. */
function lineCount(text) {
  if (!text) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/**
 * path -> included line ranges (1-based, inclusive). A result without ranges counts a listed
 * file as whole, or, when it says it was cut to some characters, as the lines within them.
 */
function includedRanges(result, dir) {
  const included = new Map();
  for (const file of result.files ?? []) {
    const path = String(file.path).replace(/^\.\//, '');
    let ranges = file.ranges;
    if (!Array.isArray(ranges)) {
      const text = (() => {
        try {
          return readFileSync(join(dir, path), 'utf8');
        } catch {
          return '';
        }
      })();
      const cut = file.truncated && typeof file.chars === 'number';
      const kept = cut ? text.slice(0, file.chars) : text;
      const lines = cut ? kept.split('\n').length - 1 : lineCount(text);
      ranges = [{ start: 1, end: Math.max(lines, cut ? 0 : 1) }];
    }
    ranges = ranges.filter((range) => range.end >= range.start);
    if (ranges.length) included.set(path, [...(included.get(path) ?? []), ...ranges]);
  }
  return included;
}

function covered(ranges, hunk) {
  if (!ranges) return false;
  const inside = (line) => ranges.some((range) => line >= range.start && line <= range.end);
  if (hunk.count === 0) return inside(hunk.start) || inside(hunk.start + 1);
  for (let line = hunk.start; line < hunk.start + hunk.count; line++) {
    if (!inside(line)) return false;
  }
  return true;
}

function emptyTally() {
  return { cases: 0, allFiles: 0, files: 0, filesIn: 0, regions: 0, regionsIn: 0, tokens: 0 };
}

const percent = (part, whole) => (whole ? (100 * part) / whole : 0);

export async function benchRecall() {
  const started = performance.now();
  const list = JSON.parse(readFileSync(listFile, 'utf8'));
  const { gatherContext } = await import(
    pathToFileURL(join(root, 'dist', 'orchestration', 'context-builder.js')).href
  );
  const tokens = await tokenCounter();
  const MiniSearch = await import('minisearch').then(
    (module) => module.default,
    () => null,
  );
  const pickedRepos = process.env.RECALL_REPOS?.split(',');
  const casesPerRepo = Number(process.env.RECALL_CASES ?? Number.POSITIVE_INFINITY);

  const work = mkdtempSync(join(tmpdir(), 'prompt-runner-recall-'));
  const stats = {};
  const errors = {};
  const byLanguage = {};
  const missing = [];
  let totalCases = 0;
  let repositories = 0;
  const tally = (config, budget, language) => {
    const key = `${config}|${budget}`;
    stats[key] ??= { ...emptyTally(), ms: 0, over: 0, overBy: 0 };
    byLanguage[language] ??= {};
    byLanguage[language][key] ??= emptyTally();
    return [stats[key], byLanguage[language][key]];
  };
  try {
    for (const repository of list.repositories) {
      if (pickedRepos && !pickedRepos.includes(repository.repo)) continue;
      const gitDir = findGitDir(repository);
      if (!gitDir || !repository.commits.every(({ commit }) => hasCommit(gitDir, commit))) {
        missing.push(repository.repo);
        continue;
      }
      repositories++;
      for (const { commit, parent } of repository.commits.slice(0, casesPerRepo)) {
        const paths = caseFiles(gitDir, parent, commit);
        if (!paths) throw new Error(`${repository.repo} ${commit} no longer fits the rule`);
        const changed = hunks(gitDir, parent, commit, paths);
        const request = featureRequest(gitDir, commit);
        const dir = join(work, `${repository.repo.replace('/', '+')}-${parent.slice(0, 12)}`);
        materialise(gitDir, parent, dir);
        totalCases++;
        try {
          for (const maxTokens of BUDGETS) {
            for (const config of CONFIGS) {
              if (config.key === 'Bm25' && !MiniSearch) continue;
              const run = () => {
                if (config.key === 'Bm25') {
                  return bm25Context(MiniSearch, tokens, dir, request, maxTokens);
                }
                if (config.key === 'Old') return gatherContext({ root: dir, maxTokens });
                const cacheDir = join(work, `cache-${maxTokens}`);
                return gatherContext({ root: dir, featureRequest: request, maxTokens, cacheDir });
              };
              const begin = performance.now();
              const result = await run().catch((error) => {
                errors[config.key] ??= {
                  count: 0,
                  first: `${repository.repo} ${commit}: ${error}`,
                };
                errors[config.key].count++;
                return { files: [], codebaseContext: '' };
              });
              const ms = performance.now() - begin;
              const included = includedRanges(result, dir);
              // What is sent, counted alike for every configuration.
              const used = tokens.count(result.codebaseContext ?? '');
              const filesIn = paths.filter((path) => included.has(path)).length;
              const regionsIn = changed.filter((hunk) => covered(included.get(hunk.path), hunk));
              const [total, language] = tally(config.key, maxTokens, repository.language);
              total.ms += ms;
              if (used > maxTokens) {
                total.over++;
                total.overBy = Math.max(total.overBy, used - maxTokens);
              }
              for (const t of [total, language]) {
                t.cases++;
                t.allFiles += filesIn === paths.length ? 1 : 0;
                t.files += paths.length;
                t.filesIn += filesIn;
                t.regions += changed.length;
                t.regionsIn += regionsIn.length;
                t.tokens += used;
              }
            }
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nRecall: ${totalCases} cases from ${repositories} repositories ` +
      `in ${seconds.toFixed(0)} s (tokens: ${tokens.exact ? 'o200k_base' : 'characters / 4'})`,
  );
  if (missing.length) {
    console.log(
      `  not found under ${mirrors} (or lacking the listed commits), skipped: ${missing.join(', ')}`,
    );
  }
  if (!MiniSearch) console.log('  minisearch cannot be loaded: the BM25 baseline is left out');
  console.log(
    `  ${'configuration'.padEnd(27)} ${'budget'.padStart(7)} ${'all files'.padStart(10)} ` +
      `${'files'.padStart(7)} ${'regions'.padStart(8)} ${'tokens'.padStart(8)} ${'ms'.padStart(7)}`,
  );
  const summary = {};
  for (const maxTokens of BUDGETS) {
    const label = `${maxTokens / 1000}k`;
    for (const config of CONFIGS) {
      const s = stats[`${config.key}|${maxTokens}`];
      if (!s) continue;
      const row = {
        Files: percent(s.allFiles, s.cases),
        Regions: percent(s.regionsIn, s.regions),
        Tokens: s.tokens / s.cases,
        Ms: s.ms / s.cases,
      };
      for (const [name, value] of Object.entries(row)) {
        summary[`recall${config.key}${name}${label}`] = value;
      }
      console.log(
        `  ${config.name.padEnd(27)} ${label.padStart(7)} ${`${row.Files.toFixed(1)}%`.padStart(10)} ` +
          `${`${percent(s.filesIn, s.files).toFixed(1)}%`.padStart(7)} ` +
          `${`${row.Regions.toFixed(1)}%`.padStart(8)} ${row.Tokens.toFixed(0).padStart(8)} ` +
          `${row.Ms.toFixed(0).padStart(7)}${s.over ? `  (${s.over} over budget, by up to ${s.overBy})` : ''}`,
      );
    }
  }
  console.log(
    '  (all files: cases with every changed file; files: changed files held; regions: hunks held)',
  );
  const first = BUDGETS[0];
  const languages = Object.keys(byLanguage).sort();
  console.log(`  all files at ${first / 1000}k by language:`);
  for (const language of languages) {
    const cells = CONFIGS.map((config) => {
      const t = byLanguage[language][`${config.key}|${first}`];
      return t ? `${config.key.toLowerCase()} ${percent(t.allFiles, t.cases).toFixed(0)}%` : '';
    }).filter(Boolean);
    const cases = byLanguage[language][`New|${first}`]?.cases ?? 0;
    console.log(
      `    ${language.padEnd(11)} ${String(cases).padStart(3)} cases  ${cells.join('  ')}`,
    );
  }
  for (const [key, error] of Object.entries(errors)) {
    console.log(`  ${key}: ${error.count} cases failed; first: ${error.first.split('\n')[0]}`);
  }
  const files = summary[`recallNewFiles${first / 1000}k`] ?? 0;
  const regions = summary[`recallNewRegions${first / 1000}k`] ?? 0;
  const met = files >= TARGET_FILES && regions >= TARGET_REGIONS;
  console.log(
    `  new retrieval at ${first / 1000}k: ${files.toFixed(1)}% of cases with every changed file ` +
      `(target >= ${TARGET_FILES}%), ${regions.toFixed(1)}% of regions (target >= ` +
      `${TARGET_REGIONS}%): ${met ? 'within target' : 'BELOW TARGET'}`,
  );
  summary.recallSeconds = seconds;
  return summary;
}
