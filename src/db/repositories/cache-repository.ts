// Answers kept for reuse, keyed by a hash of everything that shapes a call.
import type { PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';
import { answerBytes, upsertAnswers } from './cache-repository.sql.js';

export interface CachedAnswer {
  key: string;
  model: string;
  response: string;
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

const CHUNK = 500;

function groupByCount(counts: Map<string, number>): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const [key, times] of counts) groups.set(times, [...(groups.get(times) ?? []), key]);
  return groups;
}

export interface CacheStats {
  entries: number;
  hits: number;
  bytes: number;
  oldest: Date | null;
  newest: Date | null;
}

export class CacheRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async get(key: string): Promise<CachedAnswer | null> {
    return (await this.getMany([key])).get(key) ?? null;
  }

  /** The cached answers among `keys`, by key (a query per 500 keys). */
  async getMany(keys: string[]): Promise<Map<string, CachedAnswer>> {
    const found = new Map<string, CachedAnswer>();
    for (let start = 0; start < keys.length; start += CHUNK) {
      const rows = await this.prisma.cacheEntry.findMany({
        where: { key: { in: keys.slice(start, start + CHUNK) } },
      });
      for (const row of rows) {
        const usage = JSON.parse(row.usage) as { inputTokens?: number; outputTokens?: number };
        found.set(row.key, {
          key: row.key,
          model: row.model,
          response: row.response,
          finishReason: row.finishReason,
          inputTokens: usage.inputTokens ?? null,
          outputTokens: usage.outputTokens ?? null,
        });
      }
    }
    return found;
  }

  /**
   * Stores or refreshes answers (hit counts are kept), in one statement. A key given twice
   * keeps its last answer: PostgreSQL refuses to upsert one row twice in a statement.
   */
  async putMany(answers: CachedAnswer[]): Promise<void> {
    if (answers.length === 0) return;
    const last = [...new Map(answers.map((answer) => [answer.key, answer])).values()];
    await withBusyRetry(() => upsertAnswers(this.prisma, last));
  }

  /** Counts one reuse of each key (a key may appear more than once). */
  async recordHits(keys: string[]): Promise<void> {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    const lastHitAt = new Date();
    for (const [times, group] of groupByCount(counts)) {
      await withBusyRetry(() =>
        this.prisma.cacheEntry.updateMany({
          where: { key: { in: group } },
          data: { hitCount: { increment: times }, lastHitAt },
        }),
      );
    }
  }

  async stats(): Promise<CacheStats> {
    const [aggregate, bytes] = await Promise.all([
      this.prisma.cacheEntry.aggregate({
        _count: { _all: true },
        _sum: { hitCount: true },
        _min: { createdAt: true },
        _max: { createdAt: true },
      }),
      answerBytes(this.prisma),
    ]);
    return {
      entries: aggregate._count._all,
      hits: aggregate._sum.hitCount ?? 0,
      bytes,
      oldest: aggregate._min.createdAt,
      newest: aggregate._max.createdAt,
    };
  }

  /** Removes entries created before `before` (all of them without it); returns how many. */
  async clear(before?: Date): Promise<number> {
    const result = await withBusyRetry(() =>
      this.prisma.cacheEntry.deleteMany({ where: before ? { createdAt: { lt: before } } : {} }),
    );
    return result.count;
  }
}
