// SQLite lets one writer at a time. The busy timeout makes a writer wait for the lock; when
// the wait still runs out (P1008), a short statement is simply tried again.
const ATTEMPTS = 8;

function isBusy(error: unknown): boolean {
  const { code, message, cause } = (error ?? {}) as {
    code?: string;
    message?: string;
    // plain SQL fails with the driver adapter's error, which says what happened in `cause`
    cause?: { kind?: string; originalCode?: string };
  };
  return (
    code === 'P1008' ||
    code === 'SQLITE_BUSY' ||
    cause?.kind === 'SocketTimeout' ||
    cause?.originalCode?.startsWith('SQLITE_BUSY') === true ||
    /database is locked|SQLITE_BUSY/i.test(message ?? '')
  );
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
