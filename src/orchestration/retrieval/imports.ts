// What a source file imports, read from its text, and which files of the repository those
// imports name. Enough to find a hit's neighbours; not a module resolver.
import { posix } from 'node:path';

const PATTERNS: Record<string, RegExp[]> = {
  js: [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ],
  py: [/^\s*from\s+([.\w]+)\s+import\b/gm, /^\s*import\s+([\w.]+)/gm],
  go: [/^\s*(?:import\s+)?(?:\w+\s+)?"([\w./-]+)"\s*$/gm],
  rs: [
    /^\s*(?:pub\s+)?use\s+((?:crate|super|self)(?:::\w+)+)/gm,
    /^\s*(?:pub\s+)?mod\s+(\w+)\s*;/gm,
  ],
  java: [/^\s*import\s+(?:static\s+)?([\w.]+)\s*;/gm],
};

function family(path: string): keyof typeof PATTERNS | null {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (/^(ts|tsx|mts|cts|js|jsx|mjs|cjs|vue|svelte)$/.test(ext)) return 'js';
  if (ext === 'py') return 'py';
  if (ext === 'go') return 'go';
  if (ext === 'rs') return 'rs';
  if (ext === 'java' || ext === 'kt') return 'java';
  return null;
}

/** The module names a file imports, as written. */
export function importsOf(path: string, text: string): string[] {
  const kind = family(path);
  if (!kind) return [];
  const found = new Set<string>();
  for (const pattern of PATTERNS[kind] ?? []) {
    for (const match of text.matchAll(pattern)) if (match[1]) found.add(match[1]);
  }
  return [...found];
}

const JS_SUFFIXES = ['', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.vue'];
const JS_INDEX = ['/index.ts', '/index.tsx', '/index.js', '/index.jsx', '/index.mjs'];

/** Resolves imports to files of the repository, given every path in it. */
export class ImportResolver {
  private readonly files: Set<string>;
  private readonly byDir = new Map<string, string[]>();

  constructor(paths: readonly string[]) {
    this.files = new Set(paths);
    for (const path of paths) {
      const dir = posix.dirname(path);
      const list = this.byDir.get(dir);
      if (list) list.push(path);
      else this.byDir.set(dir, [path]);
    }
  }

  resolve(from: string, specifier: string): string[] {
    switch (family(from)) {
      case 'js':
        return this.js(from, specifier);
      case 'py':
        return this.python(from, specifier);
      case 'go':
        return this.go(specifier);
      case 'rs':
        return this.rust(from, specifier);
      case 'java':
        return this.suffix(`${specifier.replace(/\./g, '/')}.java`);
      default:
        return [];
    }
  }

  private first(candidates: string[]): string[] {
    const hit = candidates.find((candidate) => this.files.has(candidate));
    return hit ? [hit] : [];
  }

  private js(from: string, specifier: string): string[] {
    if (!specifier.startsWith('.')) return [];
    const base = posix.normalize(posix.join(posix.dirname(from), specifier));
    // TypeScript written for ESM names its imports by their compiled `.js` names.
    const stem = base.replace(/\.(m|c)?js$/, '');
    return this.first([
      ...JS_SUFFIXES.map((suffix) => base + suffix),
      ...JS_SUFFIXES.map((suffix) => stem + suffix),
      ...JS_INDEX.map((suffix) => base + suffix),
    ]);
  }

  private python(from: string, specifier: string): string[] {
    const dots = /^\.*/.exec(specifier)?.[0].length ?? 0;
    const module = specifier.slice(dots).replace(/\./g, '/');
    if (dots > 0) {
      let dir = posix.dirname(from);
      for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
      const base = module ? posix.join(dir, module) : dir;
      return this.first([`${base}.py`, `${base}/__init__.py`]);
    }
    return this.suffix(`${module}.py`)
      .concat(this.suffix(`${module}/__init__.py`))
      .slice(0, 1);
  }

  private go(specifier: string): string[] {
    // A Go import names a folder: every non-test file in the folder whose path ends with it.
    for (const [dir, files] of this.byDir) {
      if (dir === specifier || specifier.endsWith(`/${dir}`) || dir.endsWith(`/${specifier}`)) {
        return files.filter((file) => file.endsWith('.go') && !file.endsWith('_test.go'));
      }
    }
    return [];
  }

  private rust(from: string, specifier: string): string[] {
    const dir = posix.dirname(from);
    if (!specifier.includes('::'))
      return this.first([`${dir}/${specifier}.rs`, `${dir}/${specifier}/mod.rs`]);
    const parts = specifier.split('::');
    const head = parts.shift();
    const root =
      head === 'crate' ? this.crateRoot(from) : head === 'super' ? posix.dirname(dir) : dir;
    // `use crate::a::b::Item`: the module is a file for some prefix of the path.
    for (let n = parts.length; n > 0; n--) {
      const base = posix.join(root, ...parts.slice(0, n));
      const hit = this.first([`${base}.rs`, `${base}/mod.rs`]);
      if (hit.length) return hit;
    }
    return [];
  }

  private crateRoot(from: string): string {
    const at = from.lastIndexOf('src/');
    return at < 0 ? 'src' : from.slice(0, at + 3);
  }

  private suffix(tail: string): string[] {
    if (this.files.has(tail)) return [tail];
    const dir = posix.dirname(tail);
    const name = posix.basename(tail);
    for (const [folder, files] of this.byDir) {
      if (folder === dir || folder.endsWith(`/${dir}`)) {
        const hit = files.find((file) => posix.basename(file) === name);
        if (hit) return [hit];
      }
    }
    return [];
  }
}
