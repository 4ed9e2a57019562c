// Everything a command needs for one invocation, built from the global options. The database
// and services are created on first use, so commands that need no data never load Prisma.
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { Database, OpenOptions } from '../db/client.js';
import type { Services } from '../services/index.js';
import { ConfigStore } from './config.js';
import { type DatabaseLocation, resolveDatabase, storeKey } from './database-location.js';
import { ValidationError } from './errors.js';
import { Output } from './output.js';
import { type Paths, resolvePaths } from './paths.js';

type Stream<T> = T & { isTTY?: boolean };

export interface CliDeps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: Stream<Writable>;
  stderr: Stream<Writable>;
  stdin: Stream<Readable>;
  openDatabase?: (location: DatabaseLocation, options?: OpenOptions) => Promise<Database>;
  /**
   * A real dynamic import, for the user's own modules (eval checks): the built CLI is one
   * CommonJS file, whose `import()` became `require`.
   */
  importModule?: (url: string) => Promise<unknown>;
  /** Calls `handler` on Ctrl-C; returns a function that stops listening. */
  onInterrupt?: (handler: () => void) => () => void;
}

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  db?: string;
}

export function colorEnabled(deps: Pick<CliDeps, 'env' | 'stdout'>, flag = true): boolean {
  if (!flag || deps.env.NO_COLOR) return false;
  const force = deps.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return Boolean(deps.stdout.isTTY) && deps.env.TERM !== 'dumb';
}

export class AppContext {
  readonly output: Output;
  readonly paths: Paths;
  readonly config: ConfigStore;
  #database: DatabaseLocation | undefined;
  #db: Promise<Database> | undefined;
  #services: Promise<Services> | undefined;
  #interrupt: AbortController | undefined;
  #stopListening: (() => void) | undefined;

  constructor(
    readonly deps: CliDeps,
    readonly options: GlobalOptions,
  ) {
    this.output = new Output({
      json: Boolean(options.json),
      quiet: Boolean(options.quiet),
      verbose: Boolean(options.verbose),
      color: colorEnabled(deps, options.color !== false),
      stdout: deps.stdout,
      stderr: deps.stderr,
    });
    this.paths = resolvePaths(deps.env, deps.cwd);
    this.config = new ConfigStore(this.paths.configFile, deps.env);
  }

  /** The store in use: --db, the config's `database`, PROMPT_RUNNER_DB or the default file. */
  get database(): DatabaseLocation {
    this.#database ??= resolveDatabase(
      this.options.db,
      this.options.db ? undefined : this.config.get('database'),
      this.env,
      this.cwd,
      this.paths.defaultDbFile,
    );
    return this.#database;
  }

  get env(): NodeJS.ProcessEnv {
    return this.deps.env;
  }

  get cwd(): string {
    return this.deps.cwd;
  }

  db(): Promise<Database> {
    this.#db ??= (async () => {
      const location = this.database;
      this.output.debug(`database ${location.display}`);
      const open = this.deps.openDatabase ?? (await import('../db/client.js')).openDatabase;
      const db = await open(location);
      if (db.migrated.length > 0)
        this.output.debug(`applied migrations: ${db.migrated.join(', ')}`);
      return db;
    })();
    return this.#db;
  }

  services(): Promise<Services> {
    this.#services ??= (async () => {
      const [db, { createServices }] = await Promise.all([
        this.db(),
        import('../services/index.js'),
      ]);
      return createServices(db, {
        cwd: this.cwd,
        cacheDir: this.paths.cacheDir,
        env: this.env,
        importModule: this.deps.importModule ?? ((url) => import(url)),
        config: () => this.config.read(),
        saveProjectRoot: (project, root) => this.#saveProjectRoot(project, root),
      });
    })();
    return this.#services;
  }

  /** Keeps a project's root on this machine, for the shared store in use. */
  async #saveProjectRoot(project: string, root: string | null): Promise<void> {
    const location = this.database;
    if (location.engine !== 'postgresql') return;
    const store = storeKey(location);
    const all = { ...this.config.get('projectRoots') };
    const roots: Record<string, string> = { ...all[store] };
    if (root) roots[project] = root;
    else delete roots[project];
    if (Object.keys(roots).length > 0) all[store] = roots;
    else delete all[store];
    if (Object.keys(all).length > 0) await this.config.set('projectRoots', all);
    else await this.config.unset('projectRoots');
  }

  /** Project named by -p, else the one chosen by `project use`, else PROMPT_RUNNER_PROJECT. */
  projectName(flag?: string): string | undefined {
    // `-p "$P"` with P unset must not quietly mean the current project.
    if (flag !== undefined && flag.trim() === '') {
      throw new ValidationError('-p/--project needs a project name');
    }
    return flag || this.config.get('project') || this.env.PROMPT_RUNNER_PROJECT || undefined;
  }

  requireProjectName(flag?: string): string {
    const name = this.projectName(flag);
    if (!name) {
      throw new ValidationError('No project selected', {
        hint: 'pass -p <name>, run `prompt-runner project use <name>` or set PROMPT_RUNNER_PROJECT',
      });
    }
    return name;
  }

  /** A signal that aborts on Ctrl-C, for commands that can stop cleanly. */
  interruptSignal(): AbortSignal {
    if (!this.#interrupt) {
      const controller = new AbortController();
      // Every call of a batch listens to it: no leak, however many there are.
      setMaxListeners(0, controller.signal);
      this.#interrupt = controller;
      this.#stopListening = this.deps.onInterrupt?.(() => controller.abort());
    }
    return this.#interrupt.signal;
  }

  /** Everything piped to stdin; undefined when stdin is a terminal. */
  async readStdin(): Promise<string | undefined> {
    const { stdin } = this.deps;
    if (stdin.isTTY) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }

  get interactive(): boolean {
    return Boolean(this.deps.stdin.isTTY && this.deps.stderr.isTTY);
  }

  /**
   * Asks before a destructive step. `--yes` skips the question; without a terminal to ask on,
   * the step is refused rather than taken silently.
   */
  async confirm(question: string, yes: boolean | undefined, flag = '--yes'): Promise<boolean> {
    if (yes) return true;
    if (!this.interactive || this.options.json) {
      throw new ValidationError(`${question.replace(/\?$/, '')}: confirmation needed`, {
        hint: `pass ${flag} to confirm when not at a terminal`,
      });
    }
    const rl = createInterface({ input: this.deps.stdin, output: this.deps.stderr });
    try {
      const answer = await rl.question(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  }

  async dispose(): Promise<void> {
    this.#stopListening?.();
    if (!this.#db) return;
    const db = await this.#db.catch(() => undefined);
    await db?.close();
  }
}
