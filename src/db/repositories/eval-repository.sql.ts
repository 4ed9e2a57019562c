// What the eval repository asks of the database (in SQL both engines read alike) that Prisma's query API cannot do fast enough: the
// insert of a group of cells. Prisma plans a createMany afresh for every group, in time
// proportional to its rows, which slowed an eval of 2,000 cells by a third (`npm run bench`,
// eval). A tagged template of Prisma's raw API: every value is a bound parameter.
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { EvalResultData } from './eval-repository.js';

/** Rows at most per INSERT: 13 values each, well under SQLite's limit of bound values. */
const INSERT_ROWS = 500;

export async function insertEvalResults(
  prisma: PrismaClient,
  runId: string,
  results: EvalResultData[],
): Promise<void> {
  const createdAt = new Date();
  for (let start = 0; start < results.length; start += INSERT_ROWS) {
    const values = results.slice(start, start + INSERT_ROWS).map(
      (r) => Prisma.sql`(${runId}, ${r.caseId}, ${r.variant}, ${r.repeat}, ${r.executionId},
        ${r.output}, ${r.pass}, ${r.score}, ${JSON.stringify(r.assertions)}, ${r.error},
        ${r.latencyMs}, ${r.costUsd}, ${createdAt})`,
    );
    await prisma.$executeRaw`
      INSERT INTO "EvalResult" ("runId", "caseId", "variant", "repeat", "executionId", "output",
        "pass", "score", "assertions", "error", "latencyMs", "costUsd", "createdAt")
      VALUES ${Prisma.join(values)}`;
  }
}
