// Generates a Prisma client for each engine without network access: SQLite from
// prisma/schema.prisma, PostgreSQL from the same schema with its provider and output changed
// (prisma/engines.mjs), so the two cannot drift. The Prisma CLI downloads a native schema
// engine at every command unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file;
// `prisma generate` never runs that engine, so any file will do.
//
// It also writes each query compiler as a plain .wasm file beside its client. Prisma ships it
// only as a large base64 string inside a JavaScript module, which every process would parse
// and decode before its first query; the bundle reads the binary instead
// (src/db/query-compiler-wasm.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaFor } from './engines.mjs';

const placeholder = fileURLToPath(import.meta.url);
const source = readFileSync(new URL('schema.prisma', import.meta.url), 'utf8');
const generated = new URL('../src/generated/', import.meta.url);
mkdirSync(generated, { recursive: true });

const clients = [
  { engine: 'sqlite', schema: 'prisma/schema.prisma', output: 'prisma' },
  {
    engine: 'postgresql',
    schema: 'src/generated/schema.postgresql.prisma',
    output: 'prisma-postgresql',
  },
];

for (const { engine, schema, output } of clients) {
  if (engine !== 'sqlite') {
    writeFileSync(
      new URL(schema, new URL('..', import.meta.url)),
      schemaFor(source, engine, `./${output}`),
    );
  }
  const result = spawnSync('prisma', ['generate', '--schema', schema], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
  if (result.status !== 0) {
    process.exitCode = result.status ?? 1;
    break;
  }
  const { wasm } = await import(
    `@prisma/client/runtime/query_compiler_small_bg.${engine}.wasm-base64.mjs`
  );
  writeFileSync(new URL(`${output}/query_compiler.wasm`, generated), Buffer.from(wasm, 'base64'));
}
