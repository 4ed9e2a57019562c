// What every pool of PostgreSQL connections is given: the connection string's settings, the
// password when the server asks for one and the URL has none (PGPASSWORD, else ~/.pgpass or
// PGPASSFILE, as psql reads them; read here rather than by the driver, which warns on every
// process that its own reading of ~/.pgpass is deprecated), and clients that close their
// socket when they fail to connect.
import type { Client, PoolConfig } from 'pg';

interface PasswordParams {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
}

/** The password ~/.pgpass (or PGPASSFILE) holds for these parameters, if any. */
async function fromPgpass(params: PasswordParams): Promise<string | undefined> {
  const { default: pgpass } = await import('pgpass');
  return new Promise((resolve) => pgpass(params, resolve));
}

/**
 * The pool's options for a connection string: its fields, the password from the string when
 * it has one, else asked for as above. (Given the string itself, pg would take its empty
 * password over the function.)
 */
export async function poolConfig(connectionString: string): Promise<PoolConfig> {
  const [{ parseIntoClientConfig }, { default: pg }] = await Promise.all([
    import('pg-connection-string'),
    import('pg'),
  ]);
  const config = parseIntoClientConfig(connectionString) as PoolConfig;
  // pg passes the connection's parameters, which its types leave out.
  const ask = ((params: PasswordParams) =>
    process.env.PGPASSWORD ?? fromPgpass(params)) as unknown as () => Promise<string>;
  return { ...config, password: config.password || ask, Client: closingClient(pg.Client) };
}

/**
 * A client that closes its socket when the login fails. The pool drops such a client without
 * closing it, and the server keeps the half-made connection (and the process alive) until its
 * authentication timeout, a minute by default.
 */
function closingClient(Base: typeof Client): typeof Client {
  const Closing = class extends Base {};
  const connect = Base.prototype.connect as (callback?: (error?: Error) => void) => unknown;
  Object.defineProperty(Closing.prototype, 'connect', {
    value(
      this: Client & { connection?: { stream?: { destroy(): void } } },
      callback?: (error?: Error) => void,
    ) {
      if (!callback) return connect.call(this);
      return connect.call(this, (error?: Error) => {
        if (error) this.connection?.stream?.destroy();
        callback(error);
      });
    },
  });
  return Closing;
}
