// The one place that prints. Data goes to stdout, diagnostics to stderr; `--json` and
// `--quiet` are applied here so commands never check them.
import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { ErrorJson } from './errors.js';

/**
 * Whether a stream can show live lines (spinners, bars): a terminal that reports its width.
 * Some (containers, `script`) report 0 columns, where redrawing never settles.
 */
export function isLiveTerminal(stream: Writable & { isTTY?: boolean; columns?: number }): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0;
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

export type Cell = string | number | null | undefined;

export function createStyle(color: boolean) {
  const c: ChalkInstance = new Chalk({ level: color ? 3 : 0 });
  return {
    success: c.green,
    error: c.red,
    warn: c.yellow,
    info: c.cyan,
    dim: c.gray,
    heading: c.bold,
    id: c.cyan,
    name: c.bold,
  };
}

export type Style = ReturnType<typeof createStyle>;

export class Output {
  readonly style: Style;
  /** Whether stdout has had JSON: a failure then adds no second document. */
  private printedJson = false;

  constructor(readonly options: OutputOptions) {
    this.style = createStyle(options.color);
  }

  get isJson(): boolean {
    return this.options.json;
  }

  /** The JSON document of a `--json` command; printed once, whatever the mode. */
  json(data: unknown): void {
    this.printedJson = true;
    this.options.stdout.write(`${JSON.stringify(data, jsonReplacer, 2)}\n`);
  }

  /** A result: JSON in `--json` mode, otherwise whatever `human` prints. */
  result<T>(data: T, human: (data: T) => void): void {
    if (this.options.json) this.json(data);
    else human(data);
  }

  /**
   * The result of a list command: a JSON array with --json, the keys alone with --quiet (one a
   * line, for `$(…)` and `xargs`), otherwise whatever `human` prints.
   */
  list<T>(rows: T[], key: (row: T) => string, human: (rows: T[]) => void): void {
    if (this.options.json) this.json(rows);
    else if (this.options.quiet) {
      if (rows.length > 0) this.options.stdout.write(`${rows.map(key).join('\n')}\n`);
    } else human(rows);
  }

  /**
   * The result of a command that creates something: JSON with --json, its id or name alone with
   * --quiet (for `$(…)`), otherwise whatever `human` prints.
   */
  created<T>(data: T, key: (data: T) => string, human: (data: T) => void): void {
    if (this.options.json) this.json(data);
    else if (this.options.quiet) this.options.stdout.write(`${key(data)}\n`);
    else human(data);
  }

  /** Text that is the command's product (a path, a rendered prompt): printed even with --quiet. */
  text(text: string): void {
    if (this.options.json) return;
    this.options.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** One JSON document on its own line, in every mode: records of a batch, an export. */
  jsonLine(data: unknown): void {
    this.printedJson = true;
    this.options.stdout.write(`${JSON.stringify(data, jsonReplacer)}\n`);
  }

  /**
   * JSON lines gathered and written once per turn of the event loop (a batch of a thousand
   * results makes a few dozen writes); `flush` writes what is pending.
   */
  jsonLines(): { write(data: unknown): void; flush(): void } {
    const { stdout } = this.options;
    let pending: string[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (pending.length === 0) return;
      this.printedJson = true;
      stdout.write(pending.join(''));
      pending = [];
    };
    return {
      write: (data) => {
        pending.push(`${JSON.stringify(data, jsonReplacer)}\n`);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      },
      flush,
    };
  }

  /** A line about the work (a summary, a status) on stderr, for people only. */
  note(message: string): void {
    if (this.options.json || this.options.quiet) return;
    this.options.stderr.write(`${message}\n`);
  }

  /** A piece of a streamed answer, exactly as it came (nothing in --json mode). */
  stream(text: string): void {
    if (!this.options.json) this.options.stdout.write(text);
  }

  /** Text exactly as given, byte for byte (a newline is added only at a terminal). */
  write(text: string): void {
    if (this.options.json) return;
    const { stdout } = this.options;
    stdout.write(stdout.isTTY && !text.endsWith('\n') ? `${text}\n` : text);
  }

  success(message: string): void {
    if (this.options.json || this.options.quiet) return;
    this.options.stdout.write(`${this.style.success('✓')} ${message}\n`);
  }

  info(message: string): void {
    if (this.options.json || this.options.quiet) return;
    this.options.stdout.write(`${message}\n`);
  }

  warn(message: string): void {
    if (this.options.quiet) return;
    this.options.stderr.write(`${this.style.warn('Warning:')} ${message}\n`);
  }

  /**
   * A command's failure: the error line on stderr and, with `--json`, the error object on
   * stdout, unless the command already printed its JSON (which then carries the error).
   */
  failure(error: ErrorJson): void {
    this.error(error.message, error.hint ?? undefined);
    if (this.options.json && !this.printedJson) this.json({ error });
  }

  error(message: string, hint?: string): void {
    const line = hint ? `${message} ${this.style.dim(`(${hint})`)}` : message;
    this.options.stderr.write(`${this.style.error('Error:')} ${line}\n`);
  }

  debug(message: string): void {
    if (!this.options.verbose) return;
    this.options.stderr.write(`${this.style.dim(`debug: ${message}`)}\n`);
  }

  table(head: string[], rows: Cell[][]): void {
    if (this.options.json) return;
    const table = new Table({
      head: head.map((h) => this.style.heading(h)),
      style: { head: [], border: this.options.color ? ['gray'] : [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const row of rows) table.push(row.map((cell) => (cell == null ? '' : String(cell))));
    this.options.stdout.write(`${table.toString()}\n`);
  }

  /** Key/value lines for `show` commands. */
  fields(entries: [string, Cell][]): void {
    if (this.options.json) return;
    const width = Math.max(...entries.map(([key]) => key.length));
    for (const [key, value] of entries) {
      const shown = value == null || value === '' ? this.style.dim('-') : String(value);
      this.options.stdout.write(`${this.style.heading(key.padEnd(width))}  ${shown}\n`);
    }
  }

  /** A spinner on stderr, only for people at a terminal; silent otherwise. */
  async spinner(text: string): Promise<Spinner> {
    const { stderr, json, quiet, color } = this.options;
    if (json || quiet || !isLiveTerminal(stderr)) return silentSpinner;
    const { default: ora } = await import('ora');
    const spinner = ora({ text, stream: stderr, color: color ? 'cyan' : false }).start();
    return {
      update: (next) => {
        spinner.text = next;
      },
      succeed: (message) => spinner.succeed(message),
      fail: (message) => spinner.fail(message),
      stop: () => spinner.stop(),
    };
  }
}

const silentSpinner: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

/** Dates as ISO strings, bigints (from raw SQL) as numbers. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}
