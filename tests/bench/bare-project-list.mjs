// The floor for `project list --json`: open the same database with better-sqlite3, read the
// same rows, print them.
import Database from 'better-sqlite3';

const db = new Database(process.argv[2], { readonly: true });
const rows = db
  .prepare(
    `SELECT p.*,
       (SELECT COUNT(*) FROM "Prompt" WHERE "projectId" = p.id) AS prompts,
       (SELECT COUNT(*) FROM "Workflow" WHERE "projectId" = p.id) AS workflows,
       (SELECT COUNT(*) FROM "OrchestrationSession" WHERE "projectId" = p.id) AS sessions
     FROM "Project" p ORDER BY p.name`,
  )
  .all();
process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
db.close();
