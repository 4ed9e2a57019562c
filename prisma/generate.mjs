// Generates the Prisma client without network access. The Prisma CLI downloads a native
// schema engine at every command unless PRISMA_SCHEMA_ENGINE_BINARY names an existing
// file; `prisma generate` never runs that engine, so any file will do.
//
// It also writes the query compiler as a plain .wasm file beside the client. Prisma ships it
// only as a large base64 string inside a JavaScript module, which every process would parse
// and decode before its first query; the bundle reads the binary instead
// (src/db/query-compiler-wasm.ts).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const placeholder = fileURLToPath(import.meta.url);
const result = spawnSync('prisma', ['generate'], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
process.exitCode = result.status ?? 1;

if (result.status === 0) {
  const { wasm } = await import(
    '@prisma/client/runtime/query_compiler_small_bg.sqlite.wasm-base64.mjs'
  );
  const target = new URL('../src/generated/prisma/query_compiler.wasm', import.meta.url);
  writeFileSync(target, Buffer.from(wasm, 'base64'));
}
