// Fails a run fast when its model endpoint cannot be reached: without it, every line of a
// batch retries a dead host and the run takes minutes to report what its first calls knew.
import { AppError } from '../core/errors.js';
import { ModelCallError } from '../core/model-client/errors.js';

/** How many first calls must all fail to connect before the run stops. */
const PROBES = 4;

export class UnreachableError extends AppError {
  constructor(host: string, calls: number) {
    super(
      `cannot connect to ${host}: the first ${calls === 1 ? 'call' : `${calls} calls`} failed to connect, so the rest were not run`,
      {
        code: 'UNREACHABLE',
        exitCode: 1,
        hint: 'is the server running? check baseUrl or OPENAI_BASE_URL',
      },
    );
    this.name = 'UnreachableError';
  }
}

/**
 * Until one call gets an answer (or fails for another reason), only the first few calls start;
 * if those all fail to connect the guard trips and admits no more.
 */
export class ConnectGuard {
  private readonly probes: number;
  private admitted = 0;
  private failures = 0;
  private open = false;
  private waiting: (() => void)[] = [];
  error: UnreachableError | undefined;

  constructor(concurrency: number) {
    this.probes = Math.max(1, Math.min(concurrency, PROBES));
  }

  /** Waits for a turn to call the model; throws the guard's error once it has tripped. */
  async admit(): Promise<void> {
    for (;;) {
      if (this.error) throw this.error;
      if (this.open) return;
      if (this.admitted < this.probes) {
        this.admitted++;
        return;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Runs one model call under the guard. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.admit();
    try {
      const result = await call();
      this.settled();
      return result;
    } catch (error) {
      this.settled(error);
      throw error;
    }
  }

  /** The outcome of an admitted call: `error` is undefined when it was answered. */
  settled(error?: unknown): void {
    if (this.open || this.error) return;
    const host = error instanceof ModelCallError ? error.details.unreachable : undefined;
    if (host) {
      this.failures++;
      if (this.failures >= this.probes) this.error = new UnreachableError(host, this.failures);
    } else {
      this.open = true;
    }
    for (const wake of this.waiting.splice(0)) wake();
  }
}
