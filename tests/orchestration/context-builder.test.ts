import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherContext } from '../../src/orchestration/context-builder.js';
import { summarizeTree } from '../../src/orchestration/file-tree.js';
import { tempTree } from '../support/temp.js';

const tree = tempTree;

const FIXTURE = {
  'README.md': '# Shop\nA web shop.\n',
  'package.json': '{"name": "shop"}\n',
  'package-lock.json': '{"lockfileVersion": 3}\n',
  '.env': 'SECRET_TOKEN=abc123\n',
  '.env.example': 'SECRET_TOKEN=\n',
  'keys/deploy.pem': '-----BEGIN PRIVATE KEY-----\n',
  '.gitignore': 'generated/\n*.log\n',
  'generated/big.js': 'ignored by .gitignore\n',
  'debug.log': 'ignored too\n',
  'node_modules/dep/index.js': 'never read\n',
  'dist/app.js': 'build output\n',
  'src/auth/login.ts': 'export function login() {}\n',
  'src/auth/.gitignore': 'local.ts\n',
  'src/auth/local.ts': 'ignored by the nested .gitignore\n',
  'src/cart.ts': 'export const cart = [];\n',
  'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
};

describe('gatherContext', () => {
  it('walks a folder honouring .gitignore files and skipping dependencies and build output', async () => {
    const root = tree(FIXTURE);
    const context = await gatherContext({ root, globs: ['src/**/*.ts'] });
    expect(context.source).toBe('walk');
    expect(context.fileTree.split('\n').sort()).toEqual(
      [
        '.env',
        '.env.example',
        '.gitignore',
        'README.md',
        'assets/logo.png',
        'keys/deploy.pem',
        'package-lock.json',
        'package.json',
        'src/auth/.gitignore',
        'src/auth/login.ts',
        'src/cart.ts',
      ].sort(),
    );
    // What the user named comes first: it is served before anything else of the budget.
    expect(context.files.map((f) => [f.path, f.reason])).toEqual([
      ['src/auth/login.ts', 'matches --context'],
      ['src/cart.ts', 'matches --context'],
      ['.env.example', 'key file'],
      ['README.md', 'key file'],
      ['package.json', 'key file'],
    ]);
    expect(context.codebaseContext).toContain(
      '=== src/cart.ts (whole file, 1 line) ===\n1| export const cart = [];\n',
    );
    expect(context.codebaseContext).not.toContain('abc123');
  });

  it('never reads secrets, lock files or binaries, even when asked to', async () => {
    const root = tree(FIXTURE);
    const context = await gatherContext({ root, globs: ['**/*'] });
    const skipped = Object.fromEntries(context.skipped.map((s) => [s.path, s.reason]));
    expect(skipped).toMatchObject({
      '.env': 'may hold secrets',
      'keys/deploy.pem': 'may hold secrets',
      'package-lock.json': 'lock file',
      'assets/logo.png': 'binary',
    });
    expect(context.codebaseContext).not.toMatch(/abc123|PRIVATE KEY|lockfileVersion/);
  });

  it('uses git’s file list in a repository', async () => {
    const root = tree({
      'README.md': 'hi\n',
      'tracked.ts': 'x\n',
      'ignored.tmp': 'y\n',
      '.gitignore': '*.tmp\n',
    });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    git('add', 'README.md', '.gitignore');
    const context = await gatherContext({ root });
    expect(context.source).toBe('git');
    expect(context.fileTree.split('\n').sort()).toEqual(['.gitignore', 'README.md', 'tracked.ts']);
  });

  it('knows symlinks among tests, tracked (from git) or not, and reads none of them', async () => {
    const outside = tree({ 'secret.txt': 'OUTSIDE-MARKER a\n' });
    const root = tree({ 'src/a.ts': 'export const a = 1;\n' });
    mkdirSync(join(root, 'tests'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'tests', 'a.test.ts'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'tests', 'new.test.ts'));
    const context = await gatherContext({ root, featureRequest: 'a', globs: ['tests/**'] });
    expect(context.symlinks).toEqual(['tests/a.test.ts', 'tests/new.test.ts']);
    expect(context.fileTree).toContain('tests/new.test.ts -> (symlink, not followed)');
    expect(context.codebaseContext).not.toContain('OUTSIDE-MARKER');
    expect(context.skipped).toContainEqual({
      path: 'tests/a.test.ts',
      reason: 'symlink, not followed',
    });
  });

  it('keeps within the token budget, cutting the last file short and skipping the rest', async () => {
    const line = (n: number) =>
      `export const value${n} = 'a line of code with a few words in it';\n`;
    const many = (count: number) => Array.from({ length: count }, (_, i) => line(i)).join('');
    const root = tree({ 'README.md': '# Shop\n', 'src/a.ts': many(40), 'src/b.ts': many(40) });
    const context = await gatherContext({ root, globs: ['src/*.ts'], maxTokens: 500 });
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    expect(context.budget).toMatchObject({ maxTokens: 500 });
    expect(context.budget.usedTokens).toBeLessThanOrEqual(500);
    // The count is the tokenizer's, line by line: within a few percent of the whole text's.
    expect(Math.abs(countTokens(context.codebaseContext) - context.budget.usedTokens)).toBeLessThan(
      25,
    );
    const a = context.files.find((f) => f.path === 'src/a.ts');
    expect(a).toMatchObject({ whole: false, truncated: true, reason: 'matches --context' });
    expect(a?.ranges[0]?.start).toBe(1);
    expect(context.codebaseContext).toContain(
      `=== src/a.ts (lines 1-${a?.ranges[0]?.end} of 40) ===`,
    );
    expect(context.skipped).toContainEqual({ path: 'src/b.ts', reason: 'over the context budget' });
  });

  it('takes the older character budget as a quarter as many tokens', async () => {
    const root = tree({ 'README.md': '# Shop\n' });
    const context = await gatherContext({ root, maxChars: 8_000 });
    expect(context.budget.maxTokens).toBe(2_000);
  });
});

describe('summarizeTree', () => {
  it('lists a small tree whole and sums up a large one by folder', () => {
    expect(summarizeTree(['a.ts', 'b/c.ts'], 200)).toBe('a.ts\nb/c.ts');
    const many = Array.from({ length: 500 }, (_, i) => `src/module${i}/index.ts`).concat([
      'README.md',
    ]);
    const summary = summarizeTree(many, 50);
    expect(summary.split('\n').length).toBeLessThanOrEqual(80);
    expect(summary).toContain('src/ (500 files)');
    expect(summary).toContain('README.md');
  });
});
