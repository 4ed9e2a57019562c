// Full-text search of executions in SQLite: the FTS5 table kept by triggers (see the first
// migration). The query is FTS5's syntax (AND, OR, NOT, "phrases", prefix*).
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { SearchHit } from './execution-repository.js';

/** Best matches first; rank is bm25 negated, so higher is better on both engines. */
export async function searchExecutions(
  prisma: PrismaClient,
  match: string,
  limit: number,
  [start, end]: readonly [string, string],
): Promise<SearchHit[]> {
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT e."id" AS id, e."createdAt" AS createdAt, e."model" AS model, e."status" AS status,
           snippet(execution_fts, 1, ${start}, ${end}, '…', 12) AS promptSnippet,
           snippet(execution_fts, 2, ${start}, ${end}, '…', 12) AS responseSnippet,
           -bm25(execution_fts) AS rank
      FROM execution_fts JOIN "Execution" e ON e.rowid = execution_fts.rowid
     WHERE execution_fts MATCH ${match}
     ORDER BY rank DESC LIMIT ${limit}`;
  return rows.map(toHit);
}

export function toHit(row: Record<string, unknown>): SearchHit {
  const createdAt = row.createdAt;
  return {
    id: String(row.id),
    createdAt: createdAt instanceof Date ? createdAt.toISOString() : String(createdAt),
    model: String(row.model),
    status: String(row.status),
    promptSnippet: String(row.promptSnippet ?? ''),
    responseSnippet: String(row.responseSnippet ?? ''),
    rank: Number(row.rank),
  };
}
