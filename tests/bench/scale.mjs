// Scale: with 100,000 executions in the database, list, search and stats against the CLI's
// own start (`--version`).
import Database from 'better-sqlite3';
import { compare, report } from './harness.mjs';
import { benchHome, bin, runs } from './setup.mjs';

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

export function benchScale() {
  const { env, cli, db, remove } = benchHome();
  try {
    cli('project', 'create', 'scale');
    const project = JSON.parse(cli('project', 'show', 'scale', '--json'));
    const started = Date.now();
    seed(db, project.id);
    console.log(
      `\nScale: seeded ${ROWS} executions in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    const medians = compare(
      [
        { name: 'prompt-runner --version', command: 'node', args: [bin, '--version'], env },
        {
          name: 'execution list -n 20',
          command: 'node',
          args: [bin, 'execution', 'list', '-n', '20', '--json'],
          env,
        },
        {
          name: 'execution search zeppelin',
          command: 'node',
          args: [bin, 'execution', 'search', 'zeppelin', '--json'],
          env,
        },
        {
          name: 'execution stats',
          command: 'node',
          args: [bin, 'execution', 'stats', '--json'],
          env,
        },
      ],
      { runs: Math.max(5, Math.round(runs / 2)) },
    );
    const results = {};
    for (const name of ['execution list -n 20', 'execution search zeppelin', 'execution stats']) {
      results[name] = report(
        `${name} with ${ROWS} executions, against --version`,
        { 'prompt-runner --version': medians['prompt-runner --version'], [name]: medians[name] },
        'prompt-runner --version',
        name,
        2.5,
      );
    }
    return results;
  } finally {
    remove();
  }
}
