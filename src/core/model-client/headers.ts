// WHATWG Headers for the openai client and the transport, without Node's fetch implementation:
// its Headers, Response and FormData load in about 14 ms on first use and cost about a
// millisecond per call. The built CLI gives this class to the openai client in place of the
// global (see fetch-globals.ts).

type Init = ConstructorParameters<typeof Headers>[0];

/** Case-insensitive header lists, iterated sorted by lower-case name as WHATWG Headers are. */
export class HttpHeaders implements Headers {
  readonly #values = new Map<string, string[]>();

  constructor(init?: Init) {
    if (!init) return;
    const pairs =
      Symbol.iterator in init
        ? (init as Iterable<readonly [string, string]>)
        : Object.entries(init as Record<string, string>);
    for (const [name, value] of pairs) this.append(name, value);
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const list = this.#values.get(key);
    if (list) list.push(normalize(value));
    else this.#values.set(key, [normalize(value)]);
  }

  set(name: string, value: string): void {
    this.#values.set(name.toLowerCase(), [normalize(value)]);
  }

  delete(name: string): void {
    this.#values.delete(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase())?.join(', ') ?? null;
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])];
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown) {
    for (const [name, value] of this) callback.call(thisArg, value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.#values.keys()].sort()) {
      const list = this.#values.get(name) as string[];
      // Cookies stay apart: they cannot be joined with commas.
      if (name === 'set-cookie') for (const value of list) yield [name, value];
      else yield [name, list.join(', ')];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** Leading and trailing HTTP whitespace is not part of a value. */
function normalize(value: string): string {
  return String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}
