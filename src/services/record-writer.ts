// Writes what calls produce (execution rows, cached answers, cache hits) in groups: a batch
// of a thousand calls makes a few dozen writes instead of thousands. Single runs flush at
// once; a batch flushes every FLUSH_ROWS rows or FLUSH_MS milliseconds, and at its end.
import { DatabaseError, reasonOf } from '../core/errors.js';
import { toDatabaseError } from '../db/errors.js';
import type { CachedAnswer, CacheRepository } from '../db/repositories/cache-repository.js';
import type {
  ExecutionData,
  ExecutionRepository,
} from '../db/repositories/execution-repository.js';

const FLUSH_ROWS = 100;
const FLUSH_MS = 50;

export class RecordWriter {
  private executions: ExecutionData[] = [];
  private answers: CachedAnswer[] = [];
  private hits: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly repositories: { executions: ExecutionRepository; cache: CacheRepository },
    private readonly grouped: boolean,
  ) {}

  async add(records: {
    execution: ExecutionData;
    answer?: CachedAnswer;
    hit?: string;
  }): Promise<void> {
    this.executions.push(records.execution);
    if (records.answer) this.answers.push(records.answer);
    if (records.hit) this.hits.push(records.hit);
    if (!this.grouped) return this.flush();
    if (this.executions.length >= FLUSH_ROWS) return this.write();
    this.timer ??= setTimeout(() => void this.write(), FLUSH_MS);
  }

  /**
   * Writes everything added so far; resolves when it is in the database, and rejects when
   * any group written since the last flush failed. A group that fails does not stop the
   * groups after it: they are still written, and the error waits for this call.
   */
  async flush(): Promise<void> {
    await this.write();
    const failure = this.failure;
    this.failure = undefined;
    if (failure === undefined) return;
    if (!this.grouped) throw failure;
    const reason = toDatabaseError(failure)?.message ?? reasonOf(failure);
    throw new DatabaseError(`Some calls could not be recorded in the database: ${reason}`);
  }

  /** Writes one group, in order after the others; never rejects (keeps the error). */
  private write(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const executions = this.executions.splice(0);
    const answers = this.answers.splice(0);
    const hits = this.hits.splice(0);
    this.writing = this.writing.then(async () => {
      try {
        await this.repositories.executions.createMany(executions);
        await this.repositories.cache.putMany(answers);
        if (hits.length > 0) await this.repositories.cache.recordHits(hits);
      } catch (error) {
        this.failure ??= error;
      }
    });
    return this.writing;
  }
}
