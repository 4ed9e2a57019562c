// Where the store is: an SQLite file (the default, one per machine) or a PostgreSQL database
// named by a postgresql:// URL (a team's shared store). A URL's password is used to connect
// and shown nowhere: `display` is the URL with the password masked, for output and errors.
import { isAbsolute, resolve } from 'node:path';
import { ValidationError } from './errors.js';

export type Engine = 'sqlite' | 'postgresql';

export interface SqliteLocation {
  engine: 'sqlite';
  file: string;
  display: string;
  /** Named by --db, the config or PROMPT_RUNNER_DB: its folder must exist. */
  named: boolean;
}

export interface PostgresLocation {
  engine: 'postgresql';
  /** The URL as given, password included: for the driver alone. */
  url: string;
  display: string;
  named: true;
}

export type DatabaseLocation = SqliteLocation | PostgresLocation;

/** Connections each process keeps at most, unless the URL's `connection_limit` says otherwise. */
export const DEFAULT_POOL_SIZE = 2;

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Whether `source` is a URL (any scheme) rather than a file path. */
export function isDatabaseUrl(source: string): boolean {
  return URL_SCHEME.test(source.trim());
}

/**
 * The store in use: --db, else the config's `database`, else PROMPT_RUNNER_DB, else the
 * default file.
 */
export function resolveDatabase(
  flag: string | undefined,
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
  defaultFile: string,
): DatabaseLocation {
  const source = flag || configured || env.PROMPT_RUNNER_DB;
  return source ? parseLocation(source, cwd) : parseLocation(defaultFile, cwd, false);
}

/** The location `source` names: a postgresql:// URL or a file (relative to `cwd`). */
export function parseLocation(source: string, cwd: string, named = true): DatabaseLocation {
  const scheme = URL_SCHEME.exec(source.trim())?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const file = isAbsolute(source) ? source : resolve(cwd, source);
    return { engine: 'sqlite', file, display: file, named };
  }
  if (scheme !== 'postgresql' && scheme !== 'postgres') {
    throw new ValidationError(`Unsupported database URL scheme "${scheme}://"`, {
      hint: 'use a postgresql:// URL for a shared store, or a file path for SQLite',
    });
  }
  const url = source.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not even the masked form can be shown safely: the text may hold a password.
    throw new ValidationError('The database URL cannot be read', {
      hint: 'postgresql://user@host:5432/database?sslmode=require (the password in PGPASSWORD or ~/.pgpass)',
    });
  }
  return { engine: 'postgresql', url, display: maskPassword(parsed), named: true };
}

/** `source` with a URL's password replaced by `****` (anything else as it is). */
export function maskDatabaseSource(source: string): string {
  if (!isDatabaseUrl(source)) return source;
  try {
    return maskPassword(new URL(source.trim()));
  } catch {
    return '(a database URL that cannot be read)';
  }
}

/** The URL with its password replaced by `****`. */
function maskPassword(url: URL): string {
  if (!url.password) return url.href;
  const masked = new URL(url.href);
  masked.password = '****';
  return masked.href;
}

export interface PostgresSettings {
  connectionString: string;
  poolSize: number;
}

/** The driver's connection string (without prompt-runner's own parameters) and pool size. */
export function postgresSettings(location: PostgresLocation): PostgresSettings {
  const url = new URL(location.url);
  const limit = url.searchParams.get('connection_limit');
  url.searchParams.delete('connection_limit');
  let poolSize = DEFAULT_POOL_SIZE;
  if (limit !== null) {
    poolSize = Number(limit);
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 100) {
      throw new ValidationError(
        `connection_limit must be a whole number from 1 to 100, not "${limit}"`,
        {
          hint: `connections each prompt-runner process opens at most (default ${DEFAULT_POOL_SIZE})`,
        },
      );
    }
  }
  return { connectionString: url.href, poolSize };
}
