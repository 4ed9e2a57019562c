// SQLite lets one writer at a time. The busy timeout makes a writer wait for the lock; when
// the wait still runs out (P1008), a short statement is simply tried again.
import { databaseErrorKind } from './errors.js';

const ATTEMPTS = 8;

function isBusy(error: unknown): boolean {
  return databaseErrorKind(error) === 'busy';
}

export async function withBusyRetry<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isBusy(error) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80 * attempt));
    }
  }
}
