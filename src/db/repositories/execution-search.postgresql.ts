// Full-text search of executions in PostgreSQL: the generated tsvector column
// "search_document" and its GIN index (see the first migration of prisma/migrations-postgresql). The query is read
// as the SQLite store reads FTS5's: words all required, "phrases", OR, NOT or -word,
// prefix*; PostgreSQL's websearch_to_tsquery takes all but the prefixes, added here.
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { SearchHit } from './execution-repository.js';
import { toHit } from './execution-search.sqlite.js';

/** Words ending in `*` outside quotes: prefixes, which websearch_to_tsquery would not keep. */
const PREFIX = /(^|\s)([\p{L}\p{N}_]+)\*(?=\s|$)/gu;

/** The query as tsquery SQL: websearch_to_tsquery of the words, AND each prefix. */
export function toTsQuery(match: string): Prisma.Sql {
  const prefixes: string[] = [];
  const outsideQuotes = match.split('"');
  for (let i = 0; i < outsideQuotes.length; i += 2) {
    outsideQuotes[i] = (outsideQuotes[i] ?? '').replace(PREFIX, (_all, space, word) => {
      prefixes.push(String(word).toLowerCase());
      return String(space);
    });
  }
  // FTS5 spells "and" out; websearch_to_tsquery takes every word as required already.
  const words = outsideQuotes
    .join('"')
    .replace(/(^|\s)AND(?=\s|$)/g, '$1')
    .replace(/(^|\s)NOT\s+/g, '$1-');
  const parts = [Prisma.sql`websearch_to_tsquery('simple', ${words})`];
  for (const prefix of prefixes) parts.push(Prisma.sql`to_tsquery('simple', ${`${prefix}:*`})`);
  return Prisma.join(parts, ' && ');
}

/** Best matches first; rank is ts_rank_cd, higher is better (as on SQLite). */
export async function searchExecutions(
  prisma: PrismaClient,
  match: string,
  limit: number,
  [start, end]: readonly [string, string],
): Promise<SearchHit[]> {
  const options = `StartSel=${start}, StopSel=${end}, MaxWords=12, MinWords=4, MaxFragments=1, FragmentDelimiter=…`;
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    WITH q AS (SELECT ${toTsQuery(match)} AS query),
    hits AS (
      SELECT x."id", ts_rank_cd(x."search_document", q.query) AS rank
        FROM "Execution" x, q
       WHERE x."search_document" @@ q.query
       ORDER BY rank DESC, x."id" LIMIT ${limit}
    )
    SELECT e."id" AS id, e."createdAt" AS "createdAt", e."model" AS model, e."status" AS status,
           ts_headline('simple', left(prompt_runner_prompt_text(e."system", e."messages"), 262144), q.query, ${options}) AS "promptSnippet",
           ts_headline('simple', left(COALESCE(e."response", ''), 262144), q.query, ${options}) AS "responseSnippet",
           hits.rank AS rank
      FROM hits JOIN "Execution" e ON e."id" = hits."id", q
     ORDER BY hits.rank DESC, e."id"`;
  return rows.map(toHit);
}
