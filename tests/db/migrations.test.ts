// SQLite's migrations, applied to a live database, match the one schema source: the schema
// engine finds nothing left to change. (It cannot describe a live PostgreSQL database through
// the pg adapter: engines-match.test.ts compares PostgreSQL's store with SQLite's instead.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MIGRATION_DIRS,
  POSTGRES_SNAPSHOT,
  readMigrations,
  schemaText,
} from '../../src/db/migrations.js';
import { diffMigrations } from '../../src/db/schema-engine.js';
import { withScratchDatabase } from '../../src/db/scratch-database.js';
import { TEST_ENGINE } from '../support/postgres.js';

describe.runIf(TEST_ENGINE === 'sqlite')('migrations', () => {
  const schema = schemaText(TEST_ENGINE);
  const dir = MIGRATION_DIRS[TEST_ENGINE];

  it('match schema.prisma: no change is waiting for `npm run db:migration`', async () => {
    const sql = await withScratchDatabase(TEST_ENGINE, (scratch) =>
      diffMigrations(scratch, schema, dir, readMigrations(dir)),
    );
    expect(sql.replace(/-- This is an empty migration\./, '').trim()).toBe('');
  });

  it('would create every model from an empty database', async () => {
    const sql = await withScratchDatabase(TEST_ENGINE, (scratch) =>
      diffMigrations(scratch, schema, dir, []),
    );
    for (const table of ['Project', 'Prompt', 'PromptVersion', 'Execution', 'CacheEntry']) {
      expect(sql).toContain(`CREATE TABLE "${table}"`);
    }
    for (const table of ['Workflow', 'WorkflowRun', 'StepRun', 'OrchestrationSession']) {
      expect(sql).toContain(`CREATE TABLE "${table}"`);
    }
  });

  it('keep the hand-written full-text index and partial index in each engine', () => {
    const all = (engine: 'sqlite' | 'postgresql') =>
      readMigrations(MIGRATION_DIRS[engine])
        .map((m) => m.sql)
        .join('\n');
    expect(all('sqlite')).toContain('CREATE VIRTUAL TABLE "execution_fts" USING fts5');
    expect(all('postgresql')).toContain(
      'CREATE INDEX "Execution_search_document_idx" ON "Execution" USING GIN',
    );
    for (const engine of ['sqlite', 'postgresql'] as const) {
      expect(all(engine)).toContain('CREATE UNIQUE INDEX "Prompt_global_name_key"');
    }
  });

  it("leave no change of schema.prisma waiting for PostgreSQL's next migration", () => {
    expect(readFileSync(POSTGRES_SNAPSHOT, 'utf8')).toBe(schemaText('postgresql'));
  });
});
