// The definitions of a source file (functions, classes, methods, types) with their line
// ranges, from tree-sitter grammars compiled to wasm; a file in a language without a grammar
// is cut into blocks at blank lines instead.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';

export interface Definition {
  name: string;
  kind: string;
  /** 1-based, inclusive; the start takes in the comments and decorators right above. */
  start: number;
  end: number;
  /** The line the declaration itself starts on. */
  line: number;
  /** The declaration up to its body, on one line. */
  signature: string;
  /** 0 at the top of the file, 1 inside a class, … */
  depth: number;
}

interface Grammar {
  wasm: string;
  /** Node types that are definitions, and the kind each is shown as. */
  kinds: Record<string, string>;
  /** Definitions whose members are definitions too. */
  containers: Set<string>;
  /** Nodes that wrap a definition and give it its range (exports, decorators, templates). */
  wrappers: Set<string>;
}

const JS_KINDS = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  class_declaration: 'class',
  abstract_class_declaration: 'class',
  method_definition: 'method',
  abstract_method_signature: 'method',
  interface_declaration: 'interface',
  type_alias_declaration: 'type',
  enum_declaration: 'enum',
  internal_module: 'namespace',
  lexical_declaration: 'variable',
  variable_declaration: 'variable',
};
const JS: Omit<Grammar, 'wasm'> = {
  kinds: JS_KINDS,
  containers: new Set(['class_declaration', 'abstract_class_declaration', 'internal_module']),
  wrappers: new Set(['export_statement']),
};

const GRAMMARS: Record<string, Grammar> = {
  typescript: { wasm: 'typescript', ...JS },
  tsx: { wasm: 'tsx', ...JS },
  javascript: { wasm: 'javascript', ...JS },
  python: {
    wasm: 'python',
    kinds: { function_definition: 'function', class_definition: 'class' },
    containers: new Set(['class_definition']),
    wrappers: new Set(['decorated_definition']),
  },
  go: {
    wasm: 'go',
    kinds: {
      function_declaration: 'function',
      method_declaration: 'method',
      type_declaration: 'type',
      const_declaration: 'const',
      var_declaration: 'variable',
    },
    containers: new Set(),
    wrappers: new Set(),
  },
  rust: {
    wasm: 'rust',
    kinds: {
      function_item: 'function',
      function_signature_item: 'function',
      struct_item: 'struct',
      enum_item: 'enum',
      union_item: 'union',
      trait_item: 'trait',
      impl_item: 'impl',
      mod_item: 'module',
      type_item: 'type',
      const_item: 'const',
      static_item: 'static',
      macro_definition: 'macro',
    },
    containers: new Set(['impl_item', 'trait_item', 'mod_item']),
    wrappers: new Set(),
  },
  java: {
    wasm: 'java',
    kinds: {
      class_declaration: 'class',
      interface_declaration: 'interface',
      enum_declaration: 'enum',
      record_declaration: 'record',
      annotation_type_declaration: 'annotation',
      method_declaration: 'method',
      constructor_declaration: 'constructor',
    },
    containers: new Set([
      'class_declaration',
      'interface_declaration',
      'enum_declaration',
      'record_declaration',
    ]),
    wrappers: new Set(),
  },
  csharp: {
    wasm: 'c-sharp',
    kinds: {
      class_declaration: 'class',
      struct_declaration: 'struct',
      interface_declaration: 'interface',
      enum_declaration: 'enum',
      record_declaration: 'record',
      method_declaration: 'method',
      constructor_declaration: 'constructor',
      namespace_declaration: 'namespace',
    },
    containers: new Set([
      'class_declaration',
      'struct_declaration',
      'interface_declaration',
      'record_declaration',
      'namespace_declaration',
    ]),
    wrappers: new Set(),
  },
  cpp: {
    wasm: 'cpp',
    kinds: {
      function_definition: 'function',
      class_specifier: 'class',
      struct_specifier: 'struct',
      enum_specifier: 'enum',
      namespace_definition: 'namespace',
    },
    containers: new Set(['class_specifier', 'struct_specifier', 'namespace_definition']),
    wrappers: new Set(['template_declaration']),
  },
  ruby: {
    wasm: 'ruby',
    kinds: { method: 'method', singleton_method: 'method', class: 'class', module: 'module' },
    containers: new Set(['class', 'module']),
    wrappers: new Set(),
  },
  php: {
    wasm: 'php',
    kinds: {
      function_definition: 'function',
      class_declaration: 'class',
      interface_declaration: 'interface',
      trait_declaration: 'trait',
      enum_declaration: 'enum',
      method_declaration: 'method',
    },
    containers: new Set(['class_declaration', 'interface_declaration', 'trait_declaration']),
    wrappers: new Set(),
  },
  bash: {
    wasm: 'bash',
    kinds: { function_definition: 'function' },
    containers: new Set(),
    wrappers: new Set(),
  },
};

const EXTENSIONS: Record<string, keyof typeof GRAMMARS> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  cs: 'csharp',
  cpp: 'cpp',
  cc: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  h: 'cpp',
  c: 'cpp',
  rb: 'ruby',
  php: 'php',
  sh: 'bash',
  bash: 'bash',
};

/** The language a path is parsed as, if a grammar is known for it. */
export function languageOf(path: string): string | null {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return null;
  return EXTENSIONS[path.slice(dot + 1).toLowerCase()] ?? null;
}

/** Files larger than this are cut into blocks rather than parsed. */
const MAX_PARSED_CHARS = 512 * 1024;
const SIGNATURE_CHARS = 160;
/** Plain-text blocks hold at most this many lines. */
const BLOCK_LINES = 60;
/** How deep members of classes (and their members) are listed. */
const MAX_DEPTH = 2;

type Runtime = typeof TreeSitter;
let runtime: Promise<{ ts: Runtime; dir: string }> | undefined;
const languages = new Map<string, Promise<TreeSitter.Language>>();

/** The tree-sitter runtime: a CommonJS package that finds its own wasm beside itself. */
function loadRuntime() {
  runtime ??= (async () => {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@vscode/tree-sitter-wasm');
    const ts = require(main) as Runtime;
    await ts.Parser.init();
    return { ts, dir: dirname(main) };
  })();
  return runtime;
}

async function parserFor(grammar: Grammar): Promise<TreeSitter.Parser> {
  const { ts, dir } = await loadRuntime();
  let language = languages.get(grammar.wasm);
  if (!language) {
    language = ts.Language.load(join(dir, `tree-sitter-${grammar.wasm}.wasm`));
    languages.set(grammar.wasm, language);
  }
  const parser = new ts.Parser();
  parser.setLanguage(await language);
  return parser;
}

/** The definitions of a file, from its grammar if there is one, else blocks of plain text. */
export async function extractDefinitions(path: string, text: string): Promise<Definition[]> {
  const language = languageOf(path);
  const grammar = language ? GRAMMARS[language] : undefined;
  if (!grammar || text.length > MAX_PARSED_CHARS) return textBlocks(text);
  let parser: TreeSitter.Parser | undefined;
  let tree: TreeSitter.Tree | null | undefined;
  try {
    parser = await parserFor(grammar);
    tree = parser.parse(text);
    if (!tree) return textBlocks(text);
    const found: Definition[] = [];
    collect(tree.rootNode, grammar, 0, found);
    return found.length > 0 ? found : textBlocks(text);
  } catch {
    // A grammar that cannot load or parse costs the file its structure, not the context.
    return textBlocks(text);
  } finally {
    tree?.delete();
    parser?.delete();
  }
}

function collect(node: TreeSitter.Node, grammar: Grammar, depth: number, out: Definition[]) {
  for (const child of node.namedChildren) {
    if (!child) continue;
    const inner = grammar.wrappers.has(child.type) ? definitionInside(child, grammar) : child;
    const kind = inner ? grammar.kinds[inner.type] : undefined;
    if (!inner || !kind) {
      collect(child, grammar, depth, out);
      continue;
    }
    if (kind === 'variable' && depth > 0) continue;
    out.push({
      name: nameOf(inner),
      kind,
      start: startWithComments(child),
      end: child.endPosition.row + 1,
      line: inner.startPosition.row + 1,
      // An export belongs to the signature; a decorator does not.
      signature: signatureOf(child.type === 'export_statement' ? child : inner, inner),
      depth,
    });
    if (grammar.containers.has(inner.type) && depth < MAX_DEPTH)
      collect(inner, grammar, depth + 1, out);
  }
}

function definitionInside(wrapper: TreeSitter.Node, grammar: Grammar): TreeSitter.Node | null {
  for (const child of wrapper.namedChildren) {
    if (!child) continue;
    if (grammar.kinds[child.type]) return child;
    if (grammar.wrappers.has(child.type)) return definitionInside(child, grammar);
  }
  return null;
}

/** The first line of a run of comments that ends on the line above the node. */
function startWithComments(node: TreeSitter.Node): number {
  let start = node.startPosition.row;
  let previous = node.previousNamedSibling;
  while (previous?.type.includes('comment') && previous.endPosition.row >= start - 1) {
    start = previous.startPosition.row;
    previous = previous.previousNamedSibling;
  }
  return start + 1;
}

const NAME_FIELDS = ['name', 'type', 'declarator'];

function nameOf(node: TreeSitter.Node): string {
  for (const field of NAME_FIELDS) {
    const named = node.childForFieldName(field);
    if (named) return identifierIn(named) ?? firstLine(named.text);
  }
  // `const x = …`, Go's `type X …`: the first declarator or spec names it.
  for (const child of node.namedChildren) {
    const named = child?.childForFieldName('name');
    if (named) return named.text;
  }
  return firstLine(node.text).slice(0, 60);
}

function identifierIn(node: TreeSitter.Node): string | null {
  if (/identifier|name$/.test(node.type) && node.namedChildCount === 0) return node.text;
  const nested = node.childForFieldName('declarator') ?? node.childForFieldName('name');
  if (nested) return identifierIn(nested);
  return node.namedChildCount === 0 ? node.text : null;
}

function signatureOf(node: TreeSitter.Node, definition: TreeSitter.Node): string {
  const body = definition.childForFieldName('body');
  const text =
    body && body.startIndex > node.startIndex
      ? node.text.slice(0, body.startIndex - node.startIndex)
      : firstLine(node.text);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SIGNATURE_CHARS ? `${flat.slice(0, SIGNATURE_CHARS - 1)}…` : flat;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).trim();
}

/** Blocks of plain text between blank lines, at most BLOCK_LINES lines each. */
export function textBlocks(text: string): Definition[] {
  const lines = text.split('\n');
  const blocks: Definition[] = [];
  let start = -1;
  const close = (end: number) => {
    if (start < 0) return;
    const first = lines[start]?.trim() ?? '';
    blocks.push({
      name: first.slice(0, 60),
      kind: 'block',
      start: start + 1,
      end: end + 1,
      line: start + 1,
      signature: first.slice(0, SIGNATURE_CHARS),
      depth: 0,
    });
    start = -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const blank = (lines[i] ?? '').trim() === '';
    if (blank) {
      // A block ends at a blank line once it is long enough to stand alone.
      if (start >= 0 && i - start >= BLOCK_LINES / 4) close(i - 1);
      continue;
    }
    if (start < 0) start = i;
    else if (i - start + 1 >= BLOCK_LINES) close(i);
  }
  close(lines.length - 1);
  return blocks;
}
