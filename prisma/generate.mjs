// Generates the Prisma client without network access. The Prisma CLI downloads a native
// schema engine at every command unless PRISMA_SCHEMA_ENGINE_BINARY names an existing
// file; `prisma generate` never runs that engine, so any file will do.
import { spawnSync } from 'node:child_process';
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
