// The config file: a JSON object of known keys, each validated with zod. Values arrive as
// strings from `config set`; each key says how to read one.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  maskDatabaseSource,
  parseLocation,
  postgresSettings,
  urlHasPassword,
} from './database-location.js';
import { ValidationError } from './errors.js';
import { cannotWriteReason, makeDirectory } from './fs.js';
import * as z from './zod.js';
import { issueReason } from './zod-issue.js';

/** Why a store's location cannot be kept in the config file, or undefined when it can. */
function databaseProblem(value: string): string | undefined {
  if (urlHasPassword(value)) return 'a URL kept in the config file must not hold a password';
  try {
    const location = parseLocation(value, '/');
    if (location.engine === 'postgresql') postgresSettings(location);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

const positiveInt = z.coerce.number().check(z.int(), z.positive());
const nonEmpty = z.string().check(z.trim(), z.minLength(1));

export const CONFIG_KEYS = {
  project: {
    schema: nonEmpty,
    description: 'Current project (set by `project use`)',
    env: 'PROMPT_RUNNER_PROJECT',
  },
  model: {
    schema: nonEmpty,
    description: 'Default model for prompt runs',
    env: 'PROMPT_RUNNER_MODEL',
  },
  baseUrl: {
    schema: z.url({ protocol: /^https?$/ }),
    description: 'OpenAI-compatible endpoint, e.g. http://localhost:11434/v1',
    env: 'OPENAI_BASE_URL',
  },
  apiKeyEnv: {
    schema: z
      .string()
      .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')),
    description: 'Environment variable that holds the API key',
  },
  temperature: {
    schema: z.coerce.number().check(z.minimum(0), z.maximum(2)),
    description: 'Sampling temperature, 0 to 2',
  },
  maxTokens: { schema: positiveInt, description: 'Maximum tokens in an answer' },
  timeout: {
    schema: z.coerce.number().check(z.positive()),
    description: 'Request timeout in seconds',
  },
  maxRetries: {
    schema: z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10)),
    description: 'Retries on connection errors, 408, 409, 429 and 5xx, 0 to 10',
  },
  concurrency: {
    schema: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(64)),
    description: 'Parallel calls for batches and workflows, 1 to 64',
  },
  cache: {
    schema: z.union([z.boolean(), z.stringbool()]),
    description: 'Reuse answers to identical requests (true/false)',
  },
  pricing: {
    schema: z.record(
      z.string(),
      z.object({
        input: z.number().check(z.minimum(0)),
        output: z.number().check(z.minimum(0)),
      }),
    ),
    description: 'Extra prices in USD per million tokens, JSON: {"model":{"input":1,"output":2}}',
    json: true,
  },
  structuredOutput: {
    schema: z.record(
      z.string().check(z.regex(/^\S+$/, 'a model name or host:port')),
      z.enum(['json_schema', 'json_object']),
    ),
    description:
      'How models or endpoints (host:port) that refuse JSON schemas are asked for JSON, JSON: {"llama3.1":"json_object"}',
    json: true,
  },
  projectRoots: {
    schema: z.record(z.string(), z.record(z.string(), z.string().check(z.minLength(1)))),
    description:
      'Where this machine keeps each project\'s code, by shared store (set by project create/update --root), JSON: {"db.team:5432/prompts":{"app":"/home/ann/src/app"}}',
    json: true,
  },
  contextWindows: {
    schema: z.record(z.string(), z.number().check(z.int(), z.positive())),
    description:
      'Context windows in tokens of models the codebase context must fit, JSON: {"llama3.2":8192}',
    json: true,
  },
  database: {
    schema: nonEmpty.check(
      z.superRefine((value, context) => {
        const problem = databaseProblem(value);
        if (problem) context.issues.push({ code: 'custom', message: problem, input: value });
      }),
    ),
    description:
      'The store: a postgresql:// URL (password in PGPASSWORD or ~/.pgpass) or an SQLite file',
    env: 'PROMPT_RUNNER_DB',
    // Errors do not repeat the value: it may hold a password.
    secret: true,
  },
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type Config = { [K in ConfigKey]?: z.output<(typeof CONFIG_KEYS)[K]['schema']> };

export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];

/** What applies when neither the config file nor the environment sets a key. */
export const CONFIG_DEFAULTS = {
  model: 'gpt-4o-mini',
  baseUrl: 'https://api.openai.com/v1',
  apiKeyEnv: 'OPENAI_API_KEY',
  timeout: 300,
  maxRetries: 2,
  concurrency: 4,
  cache: true,
} as const satisfies Config;

export function assertConfigKey(key: string): asserts key is ConfigKey {
  if (!Object.hasOwn(CONFIG_KEYS, key)) {
    throw new ValidationError(`Unknown config key "${key}"`, {
      hint: `valid keys: ${CONFIG_KEY_NAMES.join(', ')}`,
    });
  }
}

export function parseConfigValue<K extends ConfigKey>(key: K, value: unknown): Config[K] {
  const spec = CONFIG_KEYS[key];
  if ('json' in spec && typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ValidationError(`Invalid value for ${key}: not valid JSON`, {
        hint: spec.description,
      });
    }
  }
  // `__proto__` is not a name a model or host has, and a parsed object would drop it silently.
  if (value && typeof value === 'object' && Object.hasOwn(value, '__proto__')) {
    throw new ValidationError(`Invalid value for ${key}: "__proto__" is not a name`, {
      hint: spec.description,
    });
  }
  const result = spec.schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    const reason = `${issue ? issueReason(issue) : 'invalid value'}${at}`;
    const message =
      'secret' in spec
        ? `Invalid value for ${key}: ${reason}`
        : `Invalid value for ${key}: ${JSON.stringify(value)} (${reason})`;
    throw new ValidationError(message, {
      hint: spec.description,
    });
  }
  return result.data as Config[K];
}

export interface ConfigEntry {
  key: ConfigKey;
  value: unknown;
  source: 'config' | 'env' | 'default' | null;
  description: string;
}

export class ConfigStore {
  #values: Config | undefined;

  constructor(
    readonly file: string,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  readonly keys: readonly ConfigKey[] = CONFIG_KEY_NAMES;

  /** The key itself, once known to be valid. */
  key(name: string): ConfigKey {
    assertConfigKey(name);
    return name;
  }

  parse<K extends ConfigKey>(key: K, value: unknown): Config[K] {
    return parseConfigValue(key, value);
  }

  /** A key's effective value: the config file, its environment variable, its default. */
  entry(key: ConfigKey): ConfigEntry {
    const spec = CONFIG_KEYS[key];
    const description = spec.description;
    const stored = this.get(key);
    if (stored !== undefined) return { key, value: stored, source: 'config', description };
    const fromEnv = 'env' in spec ? this.env[spec.env] : undefined;
    if (fromEnv) {
      const value = 'secret' in spec ? maskDatabaseSource(fromEnv) : fromEnv;
      return { key, value, source: 'env', description };
    }
    const fallback = (CONFIG_DEFAULTS as Config)[key];
    if (fallback !== undefined) return { key, value: fallback, source: 'default', description };
    return { key, value: null, source: null, description };
  }

  read(): Config {
    if (this.#values) return this.#values;
    const parsed = this.#readObject();
    const values: Config = {};
    for (const [key, value] of Object.entries(parsed)) {
      // Keys of other versions are kept in the file but not used.
      if (!Object.hasOwn(CONFIG_KEYS, key)) continue;
      const name = key as ConfigKey;
      try {
        Object.assign(values, { [name]: parseConfigValue(name, value) });
      } catch (error) {
        throw new ValidationError(`Config file ${this.file}: ${(error as Error).message}`);
      }
    }
    this.#values = values;
    return values;
  }

  get<K extends ConfigKey>(key: K): Config[K] {
    return this.read()[key];
  }

  /** The file's JSON object as it is (empty when there is no file). */
  #readObject(): Record<string, unknown> {
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No config file can exist below a file either; writing one says why it cannot.
      if (code === 'ENOENT' || code === 'ENOTDIR') return {};
      const reason = code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
      throw new ValidationError(`Cannot read config file ${this.file}: ${reason}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ValidationError(`Config file ${this.file} is not valid JSON`, {
        hint: 'fix or delete the file',
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ValidationError(`Config file ${this.file} must hold a JSON object`);
    }
    return parsed as Record<string, unknown>;
  }

  set<K extends ConfigKey>(key: K, value: Config[K]): Promise<void> {
    return this.#write((raw) => {
      raw[key] = value;
    });
  }

  unset(key: ConfigKey): Promise<void> {
    return this.#write((raw) => {
      delete raw[key];
    });
  }

  /**
   * Changes the file under a lock, so processes changing different keys at once keep every
   * change. Other keys are kept as they are, so a bad value can be fixed by setting it.
   */
  async #write(change: (raw: Record<string, unknown>) => void): Promise<void> {
    const release = await this.#lock();
    try {
      const raw = this.#readObject();
      change(raw);
      const temp = `${this.file}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, `${JSON.stringify(raw, null, 2)}\n`);
        renameSync(temp, this.file);
      } catch (error) {
        try {
          rmSync(temp, { force: true });
        } catch {
          // The write error below is what the user needs to see.
        }
        throw this.#cannotWrite(error);
      }
    } finally {
      await release();
    }
    this.#values = undefined;
  }

  async #lock(): Promise<() => Promise<void>> {
    try {
      makeDirectory(dirname(this.file));
      const { default: lockfile } = await import('proper-lockfile');
      return await lockfile.lock(this.file, {
        realpath: false,
        stale: 10_000,
        retries: { retries: 200, minTimeout: 10, maxTimeout: 50 },
      });
    } catch (error) {
      throw this.#cannotWrite(error);
    }
  }

  #cannotWrite(error: unknown): ValidationError {
    return new ValidationError(
      `Cannot write config file ${this.file}: ${cannotWriteReason(error)}`,
    );
  }
}
