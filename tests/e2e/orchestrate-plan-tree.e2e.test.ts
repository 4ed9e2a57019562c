// The plan phase's file tree, through the built binary: summarised once from the paths, with
// every folder's count and nesting true, for a repository too large to list whole.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

function layout(): string[] {
  const paths = ['README.md', 'setup.py', 'CHANGES.rst', 'tox.ini', 'LICENSE'];
  for (let i = 0; i < 87; i++) paths.push(`docs/page${i}.rst`);
  for (let i = 0; i < 60; i++) paths.push(`src/flask/module${i}.py`);
  for (let i = 0; i < 12; i++) paths.push(`src/flask/json/part${i}.py`);
  for (let i = 0; i < 40; i++) paths.push(`src/pkg/a/a${i}.py`);
  for (let i = 0; i < 25; i++) paths.push(`src/pkg/b/deep/b${i}.py`);
  paths.push('src/pkg/__init__.py');
  for (let i = 0; i < 50; i++) paths.push(`tests/unit/test_${i}.py`);
  for (let i = 0; i < 9; i++) paths.push(`tests/e2e/test_${i}.py`);
  paths.push('tests/conftest.py');
  return paths;
}

/** Folder path → files under it, and every file line's full path, read back from the tree. */
function parse(tree: string): { folders: Map<string, number>; files: string[] } {
  const folders = new Map<string, number>();
  const files: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const depth = (line.length - line.trimStart().length) / 2;
    const text = line.trim();
    stack.length = depth;
    const folder = /^(.+)\/ \((\d+) files\)$/.exec(text);
    if (folder) {
      stack.push(String(folder[1]));
      folders.set(stack.join('/'), Number(folder[2]));
    } else if (!text.startsWith('…')) files.push([...stack, text].join('/'));
  }
  return { folders, files };
}

describe('orchestrate plan file tree', () => {
  it('gives every folder its true file count and nesting for a repository of a few hundred files', async () => {
    const server = await modelServer(() => ({
      content:
        '<analysis_template>A {{featureRequest}}</analysis_template>\n<implementation_template>I {{analysisResults}}</implementation_template>',
    }));
    const home = tempDir();
    const code = join(home, 'code');
    const paths = layout();
    for (const path of paths) {
      mkdirSync(dirname(join(code, path)), { recursive: true });
      writeFileSync(join(code, path), 'x\n');
    }
    const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    await cli('project', 'create', 'app', '--root', 'code');
    expect((await cli('orchestrate', 'plan', 'add caching')).code).toBe(0);

    const prompt = String(server.requests[0]?.body.messages.at(-1)?.content);
    const tree = /# Files[^\n]*\n([\s\S]*?)\n\n# /.exec(prompt)?.[1] ?? '';
    const { folders, files } = parse(tree);
    const expected = new Map<string, number>();
    for (const path of paths) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join('/');
        expected.set(folder, (expected.get(folder) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(folders)).toEqual(Object.fromEntries(expected));
    expect(folders.get('docs')).toBe(87);
    expect(folders.get('src/flask')).toBe(72);
    expect(folders.has('flask')).toBe(false);
    for (const file of files) expect(paths).toContain(file);
    expect(files).toContain('README.md');
    expect(tree.split('\n').length).toBeLessThanOrEqual(60);
  });
});
