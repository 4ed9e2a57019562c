// Scale: with 100,000 executions in the store, list, search and stats against the CLI's own
// start (`--version`), on SQLite and, when PROMPT_RUNNER_TEST_PG names a server, on
// PostgreSQL (filled from the SQLite file by `db copy`), side by side in one run.
import Database from 'better-sqlite3';
import { compare, report } from './harness.mjs';
import { benchHome, bin, postgresStore, runs } from './setup.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'llama3.1', 'mistral-small'];
const WORDS = ['invoice', 'refund', 'shipping', 'kitten', 'compiler', 'garden', 'rocket', 'violin'];

export function seed(file, projectId) {
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO "Execution" ("id", "projectId", "model", "baseUrlHost", "parameters", "messages", "variables",
       "response", "finishReason", "status", "attempts", "inputTokens", "outputTokens", "costUsd", "latencyMs",
       "cacheHit", "createdAt")
     VALUES (?, ?, ?, 'localhost:11434', '{}', ?, '{}', ?, 'stop', ?, 1, ?, ?, ?, ?, 0, ?)`,
  );
  const start = Date.now() - ROWS * 60_000;
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      // Most rows share common words; "zeppelin" appears in one row of a thousand.
      const word = i % 1000 === 0 ? 'zeppelin' : WORDS[i % WORDS.length];
      const messages = JSON.stringify([
        { role: 'user', content: `Question ${i} about the ${word} report` },
      ]);
      const created = new Date(start + i * 60_000).toISOString().replace('Z', '+00:00');
      insert.run(
        `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
        projectId,
        MODELS[i % MODELS.length],
        messages,
        `Answer ${i}: the ${word} is fine`,
        i % 50 === 0 ? 'error' : 'success',
        20 + (i % 30),
        100 + (i % 200),
        i % 4 === 2 ? null : 0.0001 * (i % 7),
        200 + (i % 500),
        created,
      );
    }
  })();
  db.close();
}

const QUERIES = [
  ['execution list -n 20', ['execution', 'list', '-n', '20', '--json']],
  ['execution search zeppelin', ['execution', 'search', 'zeppelin', '--json']],
  ['execution stats', ['execution', 'stats', '--json']],
];

export function benchScale() {
  const { env, cli, db, remove } = benchHome();
  const postgres = postgresStore();
  try {
    cli('project', 'create', 'scale');
    const project = JSON.parse(cli('project', 'show', 'scale', '--json'));
    const started = Date.now();
    seed(db, project.id);
    console.log(
      `\nScale: seeded ${ROWS} executions in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    const engines = [['SQLite', env]];
    if (postgres) {
      const copyStarted = Date.now();
      cli('db', 'copy', '--to', postgres.url);
      const seconds = ((Date.now() - copyStarted) / 1000).toFixed(1);
      console.log(`Scale: db copy of them into PostgreSQL in ${seconds}s`);
      engines.push(['PostgreSQL', { ...env, PROMPT_RUNNER_DB: postgres.url }]);
    }
    const cases = [
      { name: 'prompt-runner --version', command: 'node', args: [bin, '--version'], env },
    ];
    for (const [engine, engineEnv] of engines) {
      for (const [name, args] of QUERIES) {
        cases.push({
          name: `${name} (${engine})`,
          command: 'node',
          args: [bin, ...args],
          env: engineEnv,
        });
      }
    }
    const medians = compare(cases, { runs: Math.max(5, Math.round(runs / 2)) });
    const results = {};
    for (const [engine] of engines) {
      for (const [query] of QUERIES) {
        const name = `${query} (${engine})`;
        results[name] = report(
          `${name} with ${ROWS} executions, against --version`,
          { 'prompt-runner --version': medians['prompt-runner --version'], [name]: medians[name] },
          'prompt-runner --version',
          name,
          2.5,
        );
      }
    }
    if (postgres) {
      console.log('\nScale: PostgreSQL against SQLite, same rows, same run');
      for (const [query] of QUERIES) {
        const ratio = medians[`${query} (PostgreSQL)`] / medians[`${query} (SQLite)`];
        console.log(`  ${query.padEnd(44)} ${ratio.toFixed(2)}x`);
      }
    }
    return results;
  } finally {
    remove();
    postgres?.remove();
  }
}
