import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  codeCacheFile,
  codeCacheKey,
  codeCacheSettings,
  loadBundle,
  loadCli,
} from '../../src/core/code-cache.js';
import { tempDir } from '../support/temp.js';

interface Fixture {
  double(n: number): number;
  file: string;
  dir: string;
  sep: string;
}

/** A bundle as the build writes it: a CommonJS module. */
function writeBundle(dir: string, extra = ''): string {
  const file = join(dir, 'cli.cjs');
  writeFileSync(
    file,
    `'use strict';
module.exports = { double: (n) => n * 2, file: __filename, dir: __dirname, sep: require('node:path').sep };${extra}
`,
  );
  return file;
}

function cacheFiles(cacheDir: string): string[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('codeCacheKey', () => {
  it.each([
    [['workflow', 'run', 'flow.yaml', '--input', 'topic=x'], 'workflow-run'],
    [['--json', 'project', 'list'], 'project-list'],
    [['prompt', 'show', 'greeting'], 'prompt-show'],
    [['orchestrate', 'plan', 'Add a login page'], 'orchestrate-plan'],
    [['workflow', 'run', '--help'], 'workflow-run-help'],
    [['--version'], 'version'],
    [['-V'], 'version'],
    [[], 'main'],
    [['../x', 'A B'], 'main'],
  ])('%j → %s', (argv, key) => {
    expect(codeCacheKey(argv)).toBe(key);
  });
});

describe('codeCacheSettings', () => {
  it("takes Node's compile cache where Node has one, else the own cache", () => {
    expect(codeCacheSettings({}, true).kind).toBe('node');
    expect(codeCacheSettings({}, false).kind).toBe('own');
    expect(codeCacheSettings({ PROMPT_RUNNER_CODE_CACHE: 'node' }, false).kind).toBe('own');
  });

  it('is chosen with PROMPT_RUNNER_CODE_CACHE', () => {
    expect(codeCacheSettings({ PROMPT_RUNNER_CODE_CACHE: 'own' }, true).kind).toBe('own');
    expect(codeCacheSettings({ PROMPT_RUNNER_CODE_CACHE: 'off' }, true).kind).toBe('off');
    expect(codeCacheSettings({ PROMPT_RUNNER_CODE_CACHE: 'off' }, false).kind).toBe('off');
  });

  it("is kept in the platform's cache folder, or in PROMPT_RUNNER_CODE_CACHE_DIR", () => {
    expect(codeCacheSettings({}).dir).toMatch(/prompt-runner[/\\]code-cache$/);
    expect(codeCacheSettings({ PROMPT_RUNNER_CODE_CACHE_DIR: '/var/cache/pr' }).dir).toBe(
      '/var/cache/pr',
    );
    // Node's own variable is not ours: it names the folder of Node's cache only.
    expect(codeCacheSettings({ NODE_COMPILE_CACHE: '/var/cache/node' }).dir).toMatch(/code-cache$/);
  });
});

describe('loadCli', () => {
  it('loads the bundle with the own cache, or with none', () => {
    const file = writeBundle(tempDir());
    const cacheDir = tempDir();
    const env = { PROMPT_RUNNER_CODE_CACHE_DIR: cacheDir };

    const own = loadCli<Fixture>(file, ['project', 'list'], {
      ...env,
      PROMPT_RUNNER_CODE_CACHE: 'own',
    });
    expect(own.cache).toBe('miss');
    expect(own.exports.double(4)).toBe(8);
    own.save();
    expect(cacheFiles(cacheDir)).toEqual(['project-list.bin']);

    const off = loadCli<Fixture>(file, ['--version'], { ...env, PROMPT_RUNNER_CODE_CACHE: 'off' });
    expect(off.cache).toBe('off');
    expect(off.exports.file).toBe(file);
    off.save();
    expect(cacheFiles(cacheDir)).toEqual(['project-list.bin']);
  });
});

describe('loadBundle', () => {
  it('runs the bundle as a CommonJS module', () => {
    const file = writeBundle(tempDir());
    const bundle = loadBundle<Fixture>(file, undefined, 'main');
    expect(bundle.cache).toBe('off');
    expect(bundle.exports.double(21)).toBe(42);
    expect(bundle.exports.file).toBe(file);
    expect(bundle.exports.dir).toBe(dirname(file));
    expect(typeof bundle.exports.sep).toBe('string');
    bundle.save();
  });

  // Whether a later process takes the cache is for the end-to-end test: within one process
  // V8 reuses the script it compiled first and does not look at the cache.
  it('writes a cache per command after the run', () => {
    const file = writeBundle(tempDir());
    const cacheDir = tempDir();
    const first = loadBundle<Fixture>(file, cacheDir, 'project-list');
    expect(first.cache).toBe('miss');
    expect(first.exports.double(2)).toBe(4);
    first.save();
    expect(existsSync(codeCacheFile(cacheDir, file, 'project-list'))).toBe(true);
    expect(cacheFiles(cacheDir)).toEqual(['project-list.bin']);
    expect(loadBundle<Fixture>(file, cacheDir, 'workflow-run').cache).toBe('miss');
  });

  it('replaces a cache V8 refuses, and still runs', () => {
    const file = writeBundle(tempDir(), '\n// refused');
    const cacheDir = tempDir();
    const cacheFile = codeCacheFile(cacheDir, file, 'main');
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, 'not a code cache');

    const refused = loadBundle<Fixture>(file, cacheDir, 'main');
    expect(refused.cache).toBe('rejected');
    expect(refused.exports.double(5)).toBe(10);
    refused.save();
    expect(readFileSync(cacheFile).length).toBeGreaterThan(100);
  });

  it('never offers one build the cache of another', () => {
    const dir = tempDir();
    const cacheDir = tempDir();
    loadBundle<Fixture>(writeBundle(dir), cacheDir, 'main').save();
    const rebuilt = writeBundle(dir, '\nmodule.exports.double = (n) => n * 3;');
    const bundle = loadBundle<Fixture>(rebuilt, cacheDir, 'main');
    expect(bundle.cache).toBe('miss');
    expect(bundle.exports.double(2)).toBe(6);
  });

  it('keeps the newest three builds and sixteen commands of each', () => {
    const dir = tempDir();
    const cacheDir = tempDir();
    // Node's compile cache may share the folder (another Node): it is not one of the builds.
    const nodeCache = join(cacheDir, 'v24.22.3-x64-f51f2588-0');
    mkdirSync(nodeCache);
    utimesSync(nodeCache, 0, 0);
    const sizes: number[] = [];
    for (let build = 1; build <= 4; build++) {
      const file = writeBundle(dir, '\n'.repeat(build));
      loadBundle<Fixture>(file, cacheDir, 'main').save();
      const size = statSync(file).size;
      sizes.push(size);
      // Dated in build order, however coarse the file system's clock.
      const made = readdirSync(cacheDir).find((name) => name.includes(`-${size}-`));
      utimesSync(join(cacheDir, made as string), build, build);
    }
    const kept = readdirSync(cacheDir).filter((name) => name !== 'v24.22.3-x64-f51f2588-0');
    expect(kept).toHaveLength(3);
    expect(existsSync(nodeCache)).toBe(true);
    expect(kept.some((name) => name.includes(`-${sizes[0]}-`))).toBe(false);

    const file = writeBundle(dir, '\n'.repeat(9));
    for (let command = 1; command <= 17; command++) {
      loadBundle<Fixture>(file, cacheDir, `command-${command}`).save();
    }
    expect(cacheFiles(cacheDir).filter((name) => name.startsWith('command-'))).toHaveLength(16);
  });

  it('runs when the cache cannot be written', () => {
    const file = writeBundle(tempDir());
    const blocked = join(tempDir(), 'a-file');
    writeFileSync(blocked, '');
    const bundle = loadBundle<Fixture>(file, blocked, 'main');
    expect(bundle.exports.double(1)).toBe(2);
    expect(() => bundle.save()).not.toThrow();
  });
});
