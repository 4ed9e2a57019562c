// Builds dist/ with esbuild: the CLI bundle, the tiny entry that loads it, and two tools the
// benchmarks and `npm run db:migration` import. `node scripts/build.mjs [cli|bin|tools]…`
// builds some of them (all by default, into a dist/ emptied first).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What every build shares. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  // The oldest Node the package supports (package.json engines).
  target: 'node20',
  // Stack traces with --verbose point into src/.
  sourcemap: true,
  logLevel: 'warning',
};

/**
 * Packages left as `require`s of node_modules rather than bundled: a native addon that cannot
 * be bundled, and packages that find their own data files beside themselves (tree-sitter's
 * grammars) or are large and needed only by a few commands (the tokenizer's tables).
 */
const runtimeExternals = [
  'better-sqlite3',
  '@vscode/tree-sitter-wasm',
  'gpt-tokenizer',
  // PostgreSQL's driver and adapter: loaded only for a postgresql:// store.
  'pg',
  'pgpass',
  'pg-connection-string',
  '@prisma/adapter-pg',
];

/** The MCP SDK is its own file (src/mcp/sdk.ts): the CLI requires it from beside itself. */
const mcpSdkApart = {
  name: 'mcp-sdk-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/sdk\.js$/ }, (args) =>
      args.importer.endsWith('src/mcp/server.ts')
        ? { path: './mcp-sdk.cjs', external: true }
        : undefined,
    );
  },
};

const builds = {
  /**
   * The whole CLI as one CommonJS file, which dist/bin.js loads with a code cache
   * (src/core/code-cache.ts): Node's own compile cache, or on Node 20 V8's code cache by hand.
   */
  cli: {
    ...common,
    entryPoints: ['src/cli.ts'],
    // .cjs: the package is "type": "module", and Node loads this file with require.
    outfile: 'dist/cli.cjs',
    format: 'cjs',
    // Lazy imports become lazy requires inside the one file: a command loads only its code.
    supported: { 'dynamic-import': false },
    external: runtimeExternals,
    plugins: [mcpSdkApart],
    // The query compiler's .wasm is copied beside the bundle and read as a file.
    loader: { '.wasm': 'file' },
    // Prisma's large base64 module of the query compiler is replaced by a reader of the
    // binary that `npm run generate` writes (src/db/query-compiler-wasm.ts).
    alias: {
      '@prisma/client/runtime/query_compiler_small_bg.sqlite.wasm-base64.mjs':
        './src/db/query-compiler-wasm.ts',
      '@prisma/client/runtime/query_compiler_small_bg.postgresql.wasm-base64.mjs':
        './src/db/query-compiler-wasm.postgresql.ts',
    },
    // CommonJS has no import.meta: the banner gives the bundle's own URL instead. Strict, as
    // the ES modules it is built from are.
    define: { 'import.meta.url': '__import_meta_url' },
    banner: {
      js: "'use strict'; var __import_meta_url = require('node:url').pathToFileURL(__filename).href;",
    },
  },
  /** The MCP SDK, for `prompt-runner mcp` alone. */
  mcp: {
    ...common,
    entryPoints: ['src/mcp/sdk.ts'],
    outfile: 'dist/mcp-sdk.cjs',
    format: 'cjs',
  },
  /** The entry point: sets V8's flags, then loads the bundle with the code cache. */
  bin: {
    ...common,
    entryPoints: ['src/bin.ts'],
    outfile: 'dist/bin.js',
    format: 'esm',
  },
  /**
   * Modules used outside the CLI as ES modules: the migration writer (`npm run db:migration`)
   * and the context builder (benchmarks). ES modules have no require: the banner makes one
   * for the packages left external.
   */
  tools: {
    ...common,
    entryPoints: ['src/db/create-migration.ts', 'src/orchestration/context-builder.ts'],
    outbase: 'src',
    outdir: 'dist',
    format: 'esm',
    // The schema engine's wasm package imports its .wasm as a module, which Node refuses:
    // src/db/schema-engine.ts loads it by hand from node_modules.
    external: [...runtimeExternals, '@prisma/schema-engine-wasm'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in builds));
if (unknown.length > 0) {
  console.error(`Unknown build ${unknown.join(', ')}; known: ${Object.keys(builds).join(', ')}`);
  process.exit(2);
}
// A full build starts from an empty dist/, so no file of an older build is shipped.
if (asked.length === 0)
  rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await Promise.all(
  (asked.length > 0 ? asked : Object.keys(builds)).map((name) => esbuild.build(builds[name])),
);
