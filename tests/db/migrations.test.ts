import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, readMigrations, SCHEMA_FILE } from '../../src/db/migrations.js';
import { diffMigrations } from '../../src/db/schema-engine.js';

describe('migrations', () => {
  const schema = readFileSync(SCHEMA_FILE, 'utf8');

  it('match schema.prisma: no change is waiting for `npm run db:migration`', async () => {
    const sql = await diffMigrations(schema, MIGRATIONS_DIR, readMigrations());
    expect(sql.replace(/-- This is an empty migration\./, '').trim()).toBe('');
  });

  it('would create every model from an empty database', async () => {
    const sql = await diffMigrations(schema, MIGRATIONS_DIR, []);
    for (const table of ['Project', 'Prompt', 'PromptVersion', 'Execution', 'CacheEntry']) {
      expect(sql).toContain(`CREATE TABLE "${table}"`);
    }
    for (const table of ['Workflow', 'WorkflowRun', 'StepRun', 'OrchestrationSession']) {
      expect(sql).toContain(`CREATE TABLE "${table}"`);
    }
  });

  it('keep the hand-written full-text index in the first migration', () => {
    const [first] = readMigrations();
    expect(first?.sql).toContain('CREATE VIRTUAL TABLE "execution_fts" USING fts5');
  });
});
