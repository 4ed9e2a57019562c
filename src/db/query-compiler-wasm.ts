// Stands in for `@prisma/client/runtime/query_compiler_small_bg.sqlite.wasm-base64.mjs` in the
// bundle (an esbuild alias in scripts/build.mjs). Prisma's module holds the query compiler as
// a base64 string of megabytes that every process would parse and decode before its first
// query; here the same bytes are read from the .wasm file `npm run generate` writes, which
// esbuild copies into dist/. The generated client passes `wasm` to `Buffer.from(wasm, 'base64')`,
// which copies a Buffer as it is (the encoding only applies to strings).
import { readFileSync } from 'node:fs';
import wasmFile from '../generated/prisma/query_compiler.wasm';

export const wasm: Buffer = readFileSync(new URL(wasmFile, import.meta.url));
