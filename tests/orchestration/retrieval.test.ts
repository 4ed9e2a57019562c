// Ranking a codebase against a feature request: small repositories in several languages, a
// large file that contributes only its relevant definition, the index cache, the budget.
import { execFileSync } from 'node:child_process';
import { readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherContext } from '../../src/orchestration/context-builder.js';
import { extractDefinitions } from '../../src/orchestration/retrieval/definitions.js';
import { contextBudget } from '../../src/orchestration/retrieval/tokens.js';
import { tempDir, tempTree } from '../support/temp.js';

const tree = tempTree;

/** `count` unrelated functions, one per 5 lines, starting at line 1. */
function filler(count: number, prefix: string): string {
  return Array.from(
    { length: count },
    (_, i) =>
      `export function ${prefix}Helper${i}(input: number): number {\n  const doubled = input * 2;\n  return doubled + ${i};\n}\n\n`,
  ).join('');
}

const TYPESCRIPT = {
  'README.md': '# Shop\nAn online shop.\n',
  'package.json': '{"name": "shop"}\n',
  'src/cli.ts':
    "import { login } from './commands/login.js';\nexport function main() {\n  login();\n}\n",
  'src/commands/login.ts':
    "import { hashPassword } from '../auth/hash.js';\n\n/** Signs a user in with email and password. */\nexport function login() {\n  return hashPassword('x');\n}\n",
  'src/auth/hash.ts': 'export function hashPassword(password: string) {\n  return password;\n}\n',
  'src/billing/invoice.ts': `${filler(120, 'format')}/** The invoice total, rounded. */\nexport function computeInvoiceTotal(lines: number[]): number {\n  const sum = lines.reduce((a, b) => a + b, 0);\n  return Math.round(sum * 100) / 100;\n}\n\n${filler(120, 'layout')}`,
  'src/billing/tax.ts':
    "import * as billing from './invoice.js';\nexport const vat = (lines: number[]) => billing.sum(lines) * 0.2;\n",
  'tests/invoice.test.ts':
    "import { computeInvoiceTotal } from '../src/billing/invoice.js';\ncomputeInvoiceTotal([1]);\n",
};

describe('ranking a codebase against the feature request', () => {
  it('finds the file defining a concept, and only the relevant definition of a large file, with its line numbers', async () => {
    const root = tree(TYPESCRIPT);
    const context = await gatherContext({
      root,
      featureRequest: 'Round the invoice total to whole cents when computing invoice totals',
      maxTokens: 3_000,
    });
    const invoice = context.files.find((f) => f.path === 'src/billing/invoice.ts');
    expect(invoice).toMatchObject({ reason: 'ranked', whole: false, lines: 1206 });
    // The definition starts on line 601 (after 120 five-line helpers), its doc comment with it.
    expect(invoice?.ranges).toContainEqual({ start: 601, end: 605 });
    expect(context.codebaseContext).toContain('601| /** The invoice total, rounded. */');
    expect(context.codebaseContext).toContain('604|   return Math.round(sum * 100) / 100;');
    expect(context.codebaseContext).not.toContain('formatHelper3(');
    // The best file leads the ranking; what imports it and its test come along.
    const ranked = context.files.filter((f) => f.reason !== 'key file');
    expect(ranked[0]?.path).toBe('src/billing/invoice.ts');
    const reasons = Object.fromEntries(context.files.map((f) => [f.path, f.reason]));
    expect(['ranked', 'imports a hit']).toContain(reasons['src/billing/tax.ts']);
    expect(reasons['tests/invoice.test.ts']).toBe('test of a hit');
    expect(context.budget.usedTokens).toBeLessThanOrEqual(3_000);
  });

  it('follows the imports of the best hit', async () => {
    const root = tree(TYPESCRIPT);
    const context = await gatherContext({
      root,
      featureRequest: 'lock the login after failed attempts',
    });
    const reasons = Object.fromEntries(context.files.map((f) => [f.path, f.reason]));
    expect(reasons['src/commands/login.ts']).toBe('ranked');
    expect(reasons['src/auth/hash.ts']).toBe('imported by a hit');
  });

  it('ranks Python, Go, Rust and Java files by their definitions', async () => {
    const root = tree({
      'pkg/payments/refund.py':
        'from pkg.payments.ledger import Ledger\n\n\nclass RefundService:\n    """Gives money back."""\n\n    def issue_refund(self, order, amount):\n        return Ledger().credit(order, amount)\n',
      'pkg/payments/ledger.py':
        'class Ledger:\n    def credit(self, order, amount):\n        return amount\n',
      'pkg/api.py':
        'from pkg.payments.refund import RefundService\n\n\ndef handle(request):\n    return RefundService()\n',
      'internal/cache/lru.go':
        'package cache\n\n// Evict drops the least recently used entry.\nfunc (c *LRU) Evict() {\n}\n\ntype LRU struct{}\n',
      'cmd/app/main.go':
        'package main\n\nimport "example.com/app/internal/cache"\n\nfunc main() { cache.New() }\n',
      'src/header.rs':
        'pub struct Header;\n\npub fn parse_header(line: &str) -> Header {\n    Header\n}\n',
      'src/main/java/shop/OrderController.java':
        'package shop;\n\npublic class OrderController {\n  public void cancelOrder(long id) {}\n}\n',
    });
    const top = async (featureRequest: string) =>
      (await gatherContext({ root, featureRequest })).files[0]?.path;
    expect(await top('allow partial refunds: issue_refund takes a smaller amount')).toBe(
      'pkg/payments/refund.py',
    );
    expect(await top('evict entries from the LRU cache when it is full')).toBe(
      'internal/cache/lru.go',
    );
    expect(await top('parse a header line with continuation')).toBe('src/header.rs');
    expect(await top('let customers cancel an order')).toBe(
      'src/main/java/shop/OrderController.java',
    );
    const refunds = await gatherContext({ root, featureRequest: 'issue partial refunds' });
    const reasons = Object.fromEntries(refunds.files.map((f) => [f.path, f.reason]));
    expect(reasons['pkg/payments/ledger.py']).toBe('imported by a hit');
    expect(reasons['pkg/api.py']).toBe('imports a hit');
  });

  it('cuts a file in a language without a grammar into blocks and sends the matching one', async () => {
    const block = (name: string) =>
      `${Array.from({ length: 20 }, (_, i) => `  step ${name} ${i}`).join('\n')}\n\n`;
    const body = ['alpha', 'beta', 'gamma', 'delta'].map(block).join('').repeat(10);
    const root = tree({
      'lib/pipeline.zz': `${body}  reconcile warehouse stock levels\n  reconcile shelf counts\n\n${body}`,
    });
    const context = await gatherContext({
      root,
      featureRequest: 'reconcile warehouse stock',
      maxTokens: 1_500,
    });
    const file = context.files.find((f) => f.path === 'lib/pipeline.zz');
    expect(file?.whole).toBe(false);
    const line = 841; // 40 blocks of 21 lines, then the matching block
    expect(file?.ranges.some((r) => r.start <= line && r.end >= line)).toBe(true);
    expect(context.codebaseContext).toContain(`${line}|   reconcile warehouse stock levels`);
  });

  it('never indexes secrets, symlinks or excluded files, whatever the request names', async () => {
    const outside = tree({ 'notes.md': 'OUTSIDE-MARKER invoice totals\n' });
    const root = tree({
      ...TYPESCRIPT,
      '.env': 'INVOICE_TOTAL_SECRET=SECRET-MARKER\n',
      'legacy/invoice-old.ts': 'export function computeInvoiceTotalOld() {}\n',
    });
    symlinkSync(join(outside, 'notes.md'), join(root, 'invoice-notes.md'));
    const context = await gatherContext({
      root,
      featureRequest: 'invoice total secret notes',
      exclude: ['legacy/**'],
    });
    expect(context.codebaseContext).not.toMatch(/SECRET-MARKER|OUTSIDE-MARKER|invoice-old/);
    expect(context.paths).not.toContain('legacy/invoice-old.ts');
    expect(context.symlinks).toEqual(['invoice-notes.md']);
    expect(context.files.map((f) => f.path)).not.toContain('.env');
  });

  it('keeps the index in the cache folder, reuses it and reads again only what changed', async () => {
    const root = tree(TYPESCRIPT);
    execFileSync('git', ['init', '-q'], { cwd: root });
    const cacheDir = tempDir();
    const request = 'round invoice totals';
    const first = await gatherContext({ root, featureRequest: request, cacheDir });
    // Seven source files: the test is not indexed, it is found by its name.
    expect(first.index).toEqual({ files: 7, read: 7 });
    const [file] = readdirSync(join(cacheDir, 'context-index'));
    expect(statSync(join(cacheDir, 'context-index', String(file))).mode & 0o777).toBe(0o600);
    const second = await gatherContext({ root, featureRequest: request, cacheDir });
    expect(second.index).toEqual({ files: 7, read: 0 });
    expect(second.codebaseContext).toBe(first.codebaseContext);
    writeFileSync(join(root, 'src/auth/hash.ts'), 'export function roundInvoiceTotals() {}\n');
    writeFileSync(join(root, 'src/refunds.ts'), 'export const refund = 1;\n');
    const third = await gatherContext({ root, featureRequest: request, cacheDir });
    expect(third.index).toEqual({ files: 8, read: 2 });
    expect(third.files.map((f) => f.path)).toContain('src/auth/hash.ts');
    // A damaged cache is rebuilt, never trusted.
    const cached = join(cacheDir, 'context-index', String(file));
    const current = { version: 5, root: realpathSync(root), head: null };
    for (const damage of [
      '{"version": 5, "paths": 3',
      JSON.stringify({ ...current, paths: ['x'] }),
    ]) {
      writeFileSync(cached, damage);
      const rebuilt = await gatherContext({ root, featureRequest: request, cacheDir });
      expect(rebuilt.index).toEqual({ files: 8, read: 8 });
      expect(rebuilt.codebaseContext).toBe(third.codebaseContext);
    }
  });

  it('fits the default budget to a model with a small context window', async () => {
    expect(contextBudget({})).toEqual({ maxTokens: 24_000, window: null });
    expect(contextBudget({ model: 'gpt-4o-mini' }).maxTokens).toBe(24_000);
    expect(contextBudget({ model: 'llama3:8b' })).toEqual({ maxTokens: 4_096, window: 8_192 });
    expect(contextBudget({ model: 'llama3.1:8b' }).maxTokens).toBe(24_000);
    expect(contextBudget({ model: 'my-model', windows: { 'my-model': 10_000 } }).maxTokens).toBe(
      5_000,
    );
    expect(contextBudget({ model: 'llama3', maxTokens: 30_000 }).maxTokens).toBe(30_000);
    const root = tree(TYPESCRIPT);
    const context = await gatherContext({ root, featureRequest: 'invoice', model: 'phi3' });
    expect(context.budget).toMatchObject({ maxTokens: 2_048, window: 4_096 });
  });
});

describe('definitions', () => {
  it('lists definitions with their line ranges in each language', async () => {
    const ts = await extractDefinitions(
      'a.ts',
      '// Adds.\nexport function add(a: number, b: number) {\n  return a + b;\n}\nexport class Cart {\n  total() {\n    return 0;\n  }\n}\nexport interface Item { id: string }\n',
    );
    expect(ts.map((d) => [d.name, d.kind, d.start, d.end, d.depth])).toEqual([
      ['add', 'function', 1, 4, 0],
      ['Cart', 'class', 5, 9, 0],
      ['total', 'method', 6, 8, 1],
      ['Item', 'interface', 10, 10, 0],
    ]);
    expect(ts[0]?.signature).toBe('export function add(a: number, b: number)');
    const py = await extractDefinitions(
      'a.py',
      '@cached\ndef load(path):\n    return path\n\nclass Store:\n    def get(self, key):\n        return key\n',
    );
    expect(py.map((d) => [d.name, d.kind, d.start, d.end])).toEqual([
      ['load', 'function', 1, 3],
      ['Store', 'class', 5, 7],
      ['get', 'function', 6, 7],
    ]);
    const go = await extractDefinitions(
      'a.go',
      'package a\n\nfunc (s *Server) Start() error {\n\treturn nil\n}\n',
    );
    expect(go.map((d) => [d.name, d.kind, d.start, d.end])).toEqual([['Start', 'method', 3, 5]]);
    const rust = await extractDefinitions('a.rs', 'struct S;\nimpl S {\n    fn run(&self) {}\n}\n');
    expect(rust.map((d) => [d.name, d.kind, d.start])).toEqual([
      ['S', 'struct', 1],
      ['S', 'impl', 2],
      ['run', 'function', 3],
    ]);
    const java = await extractDefinitions('A.java', 'class A {\n  void run() {}\n}\n');
    expect(java.map((d) => [d.name, d.kind])).toEqual([
      ['A', 'class'],
      ['run', 'method'],
    ]);
    const text = await extractDefinitions('notes.unknown', 'first block\nline\n\nsecond block\n');
    expect(text.every((d) => d.kind === 'block')).toBe(true);
  });
});
