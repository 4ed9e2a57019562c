import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listMigrationNames, MIGRATIONS_DIR, SCHEMA_FILE } from '../../src/db/migrations.js';
import { tempDir } from '../support/temp.js';

describe('npm run db:migration', () => {
  it('writes the next migration for a copy of the schema named by the environment', () => {
    const dir = tempDir();
    const schemaFile = join(dir, 'schema.prisma');
    const migrationsDir = join(dir, 'migrations');
    cpSync(MIGRATIONS_DIR, migrationsDir, { recursive: true });
    const schema = readFileSync(SCHEMA_FILE, 'utf8').replace(
      'defaultModel String?',
      'defaultModel String?\n  note         String?',
    );
    writeFileSync(schemaFile, schema);
    const before = listMigrationNames();

    const stdout = execFileSync('npm', ['run', '--silent', 'db:migration', '--', 'add_note'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PROMPT_RUNNER_SCHEMA_FILE: schemaFile,
        PROMPT_RUNNER_MIGRATIONS_DIR: migrationsDir,
      },
    });

    expect(stdout).toMatch(/Wrote .*_add_note/);
    const added = readdirSync(migrationsDir).filter((name) => name.endsWith('_add_note'));
    expect(added).toHaveLength(1);
    const sql = readFileSync(join(migrationsDir, added[0] as string, 'migration.sql'), 'utf8');
    expect(sql).toContain('ALTER TABLE "Project" ADD COLUMN "note" TEXT');
    expect(listMigrationNames()).toEqual(before);
  });
});
