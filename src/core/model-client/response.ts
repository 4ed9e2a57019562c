// The parts of a WHATWG Response that the openai client reads, over the Node stream of an
// HTTP response: Node's own Response comes with its fetch implementation (see headers.ts).
import { Readable } from 'node:stream';
import type { HttpHeaders } from './headers.js';

export interface HttpResponseInit {
  status: number;
  statusText: string;
  headers: HttpHeaders;
  url: string;
  redirected: boolean;
}

/** A response whose body is a Node stream, read once as text, JSON or bytes, or as `body`. */
export class HttpResponse {
  readonly type = 'basic';
  readonly status: number;
  readonly statusText: string;
  readonly headers: HttpHeaders;
  readonly url: string;
  readonly redirected: boolean;
  #stream: Readable | null;
  #web: ReadableStream<Uint8Array> | null = null;
  #used = false;

  constructor(stream: Readable | null, init: HttpResponseInit) {
    this.#stream = stream;
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.redirected = init.redirected;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The body as a web stream (made on first use: only streamed answers need one). */
  get body(): ReadableStream<Uint8Array> | null {
    if (!this.#web && this.#stream) {
      this.#web = Readable.toWeb(this.#stream) as ReadableStream<Uint8Array>;
      this.#stream = null;
    }
    return this.#web;
  }

  async bytes(): Promise<Uint8Array> {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (this.#stream) return collect(this.#stream);
    if (!this.#web) return new Uint8Array();
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.#web) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return Buffer.from(await this.bytes()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
  }
}

/** Everything a stream gives until it ends (by events: an async iterator costs more). */
function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    // A stream destroyed without an error closes without ending (settled ones ignore this).
    stream.once('close', () => reject(new TypeError('terminated: the body ended early')));
  });
}
