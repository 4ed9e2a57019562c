// PostgreSQL's query compiler, read from the .wasm file `npm run generate` writes: the
// counterpart of query-compiler-wasm.ts (see there) for the PostgreSQL client.
import { readFileSync } from 'node:fs';
import wasmFile from '../generated/prisma-postgresql/query_compiler.wasm';

export const wasm: Buffer = readFileSync(new URL(wasmFile, import.meta.url));
