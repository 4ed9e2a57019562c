import { defineConfig } from 'vitest/config';

/**
 * The tests that touch the store, run a second time against PostgreSQL when
 * PROMPT_RUNNER_TEST_PG names a server (scripts/test-postgres.sh starts a throwaway one):
 * tests/support/db.ts and testEnv then hand out fresh databases of that server.
 */
const STORE_TESTS = [
  'tests/db/migrations.test.ts',
  'tests/db/engines-match.test.ts',
  'tests/db/execution-repository.test.ts',
  'tests/db/postgres.test.ts',
  'tests/db/store-copy.test.ts',
  'tests/services/execution-service.test.ts',
  'tests/services/orchestration-service.test.ts',
  'tests/services/project-service.test.ts',
  'tests/services/prompt-history.test.ts',
  'tests/services/prompt-service.test.ts',
  'tests/services/record-writer.test.ts',
  'tests/services/run-service.test.ts',
  'tests/services/workflow-service.test.ts',
  'tests/cli/eval.test.ts',
  'tests/cli/prompt-label.test.ts',
  'tests/cli/workflow.test.ts',
  'tests/e2e/concurrent-updates.e2e.test.ts',
  'tests/e2e/eval.e2e.test.ts',
  'tests/e2e/mcp.e2e.test.ts',
  'tests/e2e/optimize.e2e.test.ts',
  'tests/e2e/orchestrate.e2e.test.ts',
  'tests/e2e/prompt.e2e.test.ts',
  'tests/e2e/quiet-ids.e2e.test.ts',
  'tests/e2e/run.e2e.test.ts',
  'tests/e2e/team-store.e2e.test.ts',
  'tests/e2e/workflow-resume.e2e.test.ts',
  'tests/e2e/workflow.e2e.test.ts',
];

const postgres = process.env.PROMPT_RUNNER_TEST_PG;
if (!postgres && !process.env.VITEST_WORKER_ID) {
  console.warn(
    'PostgreSQL tests skipped: set PROMPT_RUNNER_TEST_PG (eval "$(scripts/test-postgres.sh start /tmp/pr-pg)")',
  );
}

export default defineConfig({
  test: {
    // Each test file in its own process: the schema engine's wasm loads once per process.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true as const, test: { name: 'sqlite', include: ['tests/**/*.test.ts'] } },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgresql',
                include: STORE_TESTS,
                env: { PROMPT_RUNNER_TEST_ENGINE: 'postgresql' },
              },
            },
          ]
        : []),
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/generated/**', 'src/bin.ts', 'src/db/create-migration.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 85 },
    },
  },
});
