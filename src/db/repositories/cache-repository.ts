// Answers kept for reuse, keyed by a hash of everything that shapes a call.
import type { PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';

export interface CachedAnswer {
  key: string;
  model: string;
  response: string;
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
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
    const row = await this.prisma.cacheEntry.findUnique({ where: { key } });
    if (!row) return null;
    const usage = JSON.parse(row.usage) as { inputTokens?: number; outputTokens?: number };
    return {
      key: row.key,
      model: row.model,
      response: row.response,
      finishReason: row.finishReason,
      inputTokens: usage.inputTokens ?? null,
      outputTokens: usage.outputTokens ?? null,
    };
  }

  async put(answer: CachedAnswer): Promise<void> {
    const data = {
      model: answer.model,
      response: answer.response,
      finishReason: answer.finishReason,
      usage: JSON.stringify({ inputTokens: answer.inputTokens, outputTokens: answer.outputTokens }),
    };
    await withBusyRetry(() =>
      this.prisma.cacheEntry.upsert({
        where: { key: answer.key },
        create: { key: answer.key, ...data },
        update: { ...data, createdAt: new Date() },
      }),
    );
  }

  async recordHit(key: string): Promise<void> {
    await withBusyRetry(() =>
      this.prisma.cacheEntry.update({
        where: { key },
        data: { hitCount: { increment: 1 }, lastHitAt: new Date() },
      }),
    );
  }

  async stats(): Promise<CacheStats> {
    const [aggregate, rows] = await Promise.all([
      this.prisma.cacheEntry.aggregate({
        _count: { _all: true },
        _sum: { hitCount: true },
        _min: { createdAt: true },
        _max: { createdAt: true },
      }),
      this.prisma.$queryRawUnsafe<{ bytes: number | bigint | null }[]>(
        'SELECT SUM(length(CAST("response" AS BLOB))) AS bytes FROM "CacheEntry"',
      ),
    ]);
    return {
      entries: aggregate._count._all,
      hits: aggregate._sum.hitCount ?? 0,
      bytes: Number(rows[0]?.bytes ?? 0),
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
