// Context gathering of a 20,000-file tree (a walk that honours .gitignore, and git's file
// list in a repository): it must finish in under 2 s and keep to its budget.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './setup.mjs';

const FILES = 20_000;

function makeTree() {
  const dir = mkdtempSync(join(tmpdir(), 'prompt-runner-context-'));
  writeFileSync(join(dir, 'README.md'), '# Big project\n');
  writeFileSync(join(dir, 'package.json'), '{"name": "big"}\n');
  writeFileSync(join(dir, '.gitignore'), 'generated/\n*.log\n');
  for (let i = 0; i < FILES; i++) {
    const folder = join(dir, 'src', `area${i % 40}`, `module${Math.floor(i / 40) % 25}`);
    if (i < 1000) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `file${i}.ts`), `export const value${i} = ${i};\n`);
  }
  mkdirSync(join(dir, 'generated'));
  for (let i = 0; i < 500; i++) writeFileSync(join(dir, 'generated', `g${i}.js`), 'x');
  return dir;
}

export async function benchContext() {
  const { gatherContext } = await import(join(root, 'dist', 'orchestration', 'context-builder.js'));
  const dir = makeTree();
  try {
    const time = async () => {
      const started = performance.now();
      const context = await gatherContext({
        root: dir,
        globs: ['src/area1/**/*.ts'],
        maxChars: 60_000,
      });
      return { ms: performance.now() - started, context };
    };
    const walk = await time();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '-A'], { cwd: dir });
    const git = await time();
    console.log(`\nContext: ${FILES} files, budget 60,000 characters`);
    for (const [name, run] of [
      ['walk (.gitignore)', walk],
      ['git ls-files', git],
    ]) {
      console.log(
        `  ${name.padEnd(20)} ${run.ms.toFixed(0)} ms, ${run.context.totalFiles} files listed, ` +
          `${run.context.codebaseContext.length} characters of context (target < 2000 ms): ${run.ms < 2000 ? 'within target' : 'OVER TARGET'}`,
      );
    }
    return { contextWalkMs: walk.ms, contextGitMs: git.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
