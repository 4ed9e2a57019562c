// Where the store is: an SQLite file (the default, one per machine) or a PostgreSQL database
// named by a postgresql:// URL (a team's shared store). A URL's password is used to connect
// and shown nowhere: `display` is the URL with the password masked, for output and errors.
import { accessSync, constants } from 'node:fs';
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
  const parsed = readUrl(url);
  if (!parsed.hostname && !parsed.searchParams.get('host')) {
    throw new ValidationError('The database URL names no host', { hint: URL_HINT });
  }
  if (!/^\/[^/]+$/.test(parsed.pathname)) {
    throw new ValidationError('The database URL names no database', { hint: URL_HINT });
  }
  return { engine: 'postgresql', url, display: maskPassword(parsed), named: true };
}

const URL_HINT =
  'postgresql://user@host:5432/database?sslmode=verify-full (the password in PGPASSWORD or ~/.pgpass)';

/**
 * The URL, parsed; refused (never echoed: it may hold a password) when it cannot be read as
 * the driver reads it. A user or password holding `/`, `?` or `#` unencoded would be cut
 * there and the rest taken for the host, path or fragment, the password shown with it.
 */
function readUrl(url: string): URL {
  const afterScheme = url.slice(url.indexOf('://') + 3);
  const at = afterScheme.lastIndexOf('@');
  if (at >= 0 && /[/?#]/.test(afterScheme.slice(0, at))) {
    throw new ValidationError(
      'The user or password of the database URL must be percent-encoded (/ ? # @ as %2F %3F %23 %40)',
      { hint: 'or leave the password out of the URL: PGPASSWORD or ~/.pgpass' },
    );
  }
  try {
    return new URL(url);
  } catch {
    throw new ValidationError('The database URL cannot be read', { hint: URL_HINT });
  }
}

/** Whether the URL holds a password: after the user, or as a `password` parameter. */
export function urlHasPassword(source: string): boolean {
  if (!isDatabaseUrl(source)) return false;
  try {
    const url = readUrl(source.trim());
    return url.password !== '' || url.searchParams.has('password');
  } catch {
    // Unreadable: taken as holding one, so it is neither kept nor shown.
    return true;
  }
}

/** `source` with a URL's password replaced by `****` (anything else as it is). */
export function maskDatabaseSource(source: string): string {
  if (!isDatabaseUrl(source)) return source;
  try {
    return maskPassword(readUrl(source.trim()));
  } catch {
    return '(a database URL that cannot be read)';
  }
}

/** A shared store's name in this machine's config: its host, port and database. */
export function storeKey(location: PostgresLocation): string {
  const url = new URL(location.url);
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  return `${host.toLowerCase()}:${url.port || '5432'}${url.pathname}`;
}

/** The URL with its password (after the user, or as a parameter) replaced by `****`. */
function maskPassword(url: URL): string {
  const masked = new URL(url.href);
  if (masked.password) masked.password = '****';
  if (masked.searchParams.has('password')) masked.searchParams.set('password', '****');
  return masked.href;
}

/** libpq's values of sslmode. */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface PostgresSettings {
  connectionString: string;
  poolSize: number;
}

/** The driver's connection string (without prompt-runner's own parameters) and pool size. */
export function postgresSettings(location: PostgresLocation): PostgresSettings {
  const url = new URL(location.url);
  // sslmode as psql reads it (require: encrypted; verify-full: the server's name checked too),
  // not as pg 8 does, which warns on every process that it will change.
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    throw new ValidationError(`sslmode must be one of ${SSL_MODES.join(', ')}, not "${sslmode}"`, {
      hint: 'as psql reads it: require encrypts, verify-full also checks the server',
    });
  }
  if (sslmode !== null && !url.searchParams.has('uselibpqcompat')) {
    url.searchParams.set('uselibpqcompat', 'true');
  }
  const limit = url.searchParams.get('connection_limit');
  url.searchParams.delete('connection_limit');
  let poolSize = DEFAULT_POOL_SIZE;
  if (limit !== null) {
    poolSize = /^\d{1,3}$/.test(limit) ? Number(limit) : Number.NaN;
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 100) {
      throw new ValidationError(
        `connection_limit must be a whole number from 1 to 100, not "${limit}"`,
        {
          hint: `connections each prompt-runner process opens at most (default ${DEFAULT_POOL_SIZE})`,
        },
      );
    }
  }
  // The driver reads these files when it connects, and a missing one would surface as a crash
  // of the query: named here instead.
  for (const name of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = url.searchParams.get(name);
    if (file === null || file === 'system') continue;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new ValidationError(`Cannot read ${name} ${file} named by the database URL`, {
        hint: 'check the path of the certificate or key file',
      });
    }
  }
  return { connectionString: url.href, poolSize };
}
