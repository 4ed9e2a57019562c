// The record of model calls: listing, lookup by id prefix, full-text search, statistics,
// export, pruning; and the answer cache beside it.
import ms from 'ms';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { sqliteMessage } from '../db/errors.js';
import type { CacheRepository, CacheStats } from '../db/repositories/cache-repository.js';
import type {
  ExecutionFilter,
  ExecutionRecord,
  ExecutionRepository,
  SearchHit,
  StatsDimension,
  StatsRow,
} from '../db/repositories/execution-repository.js';

export const MIN_ID_PREFIX = 4;

export interface ExecutionServiceDeps {
  executions: ExecutionRepository;
  cache: CacheRepository;
  now?: () => Date;
}

/** "30d", "12h", "2w" as milliseconds; a clear error otherwise. */
export function parseDuration(text: string, flag: string): number {
  const value = /^\d+(\.\d+)?\s*[a-z]+$/i.test(text.trim())
    ? ms(text.trim() as ms.StringValue)
    : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`${flag} ${JSON.stringify(text)} is not a duration`, {
      hint: 'use a number and a unit, e.g. 30d, 12h, 2w, 45m',
    });
  }
  return value;
}

export class ExecutionService {
  constructor(private readonly deps: ExecutionServiceDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** A duration ("7d") before now, or a date ("2026-01-31"). */
  since(text: string): Date {
    const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : undefined;
    if (date && !Number.isNaN(date.getTime())) return date;
    return new Date(this.now().getTime() - parseDuration(text, '--since'));
  }

  list(filter: ExecutionFilter): Promise<ExecutionRecord[]> {
    return this.deps.executions.list(filter);
  }

  /** The execution whose id starts with `prefix` (at least 4 characters, unique). */
  async show(prefix: string): Promise<ExecutionRecord> {
    const id = prefix.trim().toLowerCase();
    if (id.length < MIN_ID_PREFIX) {
      throw new ValidationError(`An execution id needs at least ${MIN_ID_PREFIX} characters`);
    }
    const matches = await this.deps.executions.findByPrefix(id, 6);
    const [first] = matches;
    if (!first) {
      throw new NotFoundError(`No execution with id ${id}`, {
        hint: 'see `prompt-runner execution list`',
      });
    }
    if (matches.length > 1) {
      const candidates = matches.slice(0, 5).map((m) => m.id.slice(0, 12));
      throw new ValidationError(`Execution id ${id} is ambiguous: ${candidates.join(', ')}…`, {
        hint: 'give more characters',
      });
    }
    return first;
  }

  /**
   * Full-text search, best matches first. The query may use FTS5 syntax (AND, OR, "phrases",
   * prefix*); anything FTS5 cannot read is searched as plain words.
   */
  async search(query: string, limit = 20): Promise<SearchHit[]> {
    const words = query.match(/[\p{L}\p{N}_]+/gu) ?? [];
    if (words.length === 0) throw new ValidationError('Give at least one word to search for');
    try {
      return await this.deps.executions.search(query, limit);
    } catch (error) {
      if (!/fts5|syntax|no such column|unterminated/i.test(sqliteMessage(error))) throw error;
      const plain = words.map((word) => `"${word}"`).join(' ');
      return this.deps.executions.search(plain, limit);
    }
  }

  stats(by: StatsDimension, since?: Date): Promise<StatsRow[]> {
    return this.deps.executions.stats(by, since);
  }

  all(): AsyncGenerator<ExecutionRecord> {
    return this.deps.executions.all();
  }

  /** Executions older than the duration: how many, and the cut-off. */
  async pruneCandidates(olderThan: string): Promise<{ before: Date; count: number }> {
    const before = new Date(this.now().getTime() - parseDuration(olderThan, '--older-than'));
    return { before, count: await this.deps.executions.count(before) };
  }

  prune(before: Date): Promise<number> {
    return this.deps.executions.deleteBefore(before);
  }

  cacheStats(): Promise<CacheStats> {
    return this.deps.cache.stats();
  }

  clearCache(olderThan?: string): Promise<number> {
    const before = olderThan
      ? new Date(this.now().getTime() - parseDuration(olderThan, '--older-than'))
      : undefined;
    return this.deps.cache.clear(before);
  }
}
