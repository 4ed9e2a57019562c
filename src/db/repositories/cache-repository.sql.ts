// What the cache repository asks of the database (in SQL both engines read alike) that Prisma's query API cannot express: storing
// many answers in one statement while keeping the hit counts of those already there (an
// upsert of many rows), and the stored size of the answers in bytes.
import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import type { CachedAnswer } from './cache-repository.js';

export async function upsertAnswers(prisma: PrismaClient, answers: CachedAnswer[]): Promise<void> {
  // The adapter writes a Date as the text Prisma's own writes use.
  const now = new Date();
  const rows = answers.map(
    (a) =>
      Prisma.sql`(${a.key}, ${a.model}, ${a.response}, ${a.finishReason}, ${JSON.stringify({
        inputTokens: a.inputTokens,
        outputTokens: a.outputTokens,
      })}, ${now}, 0)`,
  );
  await prisma.$executeRaw`
    INSERT INTO "CacheEntry" ("key", "model", "response", "finishReason", "usage", "createdAt", "hitCount")
    VALUES ${Prisma.join(rows)}
    ON CONFLICT ("key") DO UPDATE SET "model" = excluded."model", "response" = excluded."response",
      "finishReason" = excluded."finishReason", "usage" = excluded."usage",
      "createdAt" = excluded."createdAt"`;
}

/** The answers' size as stored, in bytes. */
export async function answerBytes(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ bytes: number | bigint | null }[]>`
    SELECT SUM(octet_length("response")) AS bytes FROM "CacheEntry"`;
  return Number(row?.bytes ?? 0);
}
