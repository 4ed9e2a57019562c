// MCP over stdio: one JSON-RPC message a line. Unlike the SDK's stdio transport, a line that is
// not JSON is answered with a parse error, a message that is not JSON-RPC with an invalid-request
// error (naming its id when it has one), and a line too long is dropped and answered: the
// server goes on reading either way.
import type { Readable, Writable } from 'node:stream';

/** The longest message read: a prompt's arguments, not a data dump. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

type Message = Record<string, unknown>;

export interface LineTransportOptions {
  stdin: Readable;
  stdout: Writable;
  /** Checks a parsed message (the SDK's JSON-RPC schema). */
  isMessage: (value: unknown) => boolean;
  maxLineBytes?: number;
}

export class LineTransport {
  onmessage?: (message: never) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  /** Stdin ended: the server answers what it was asked, then closes the transport. */
  onend?: () => void;
  private chunks: Buffer[] = [];
  private size = 0;
  /** Inside a line too long: its rest is dropped up to the next newline. */
  private skipping = false;
  private closed = false;

  constructor(private readonly options: LineTransportOptions) {}

  async start(): Promise<void> {
    this.options.stdin.on('data', this.read);
    this.options.stdin.once('end', () => {
      // A last message without its newline still counts.
      if (this.size > 0 && !this.skipping) this.line(Buffer.concat(this.chunks).toString('utf8'));
      this.onend?.();
    });
  }

  async send(message: unknown): Promise<void> {
    if (this.closed) return;
    this.options.stdout.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.stdin.off('data', this.read);
    this.onclose?.();
  }

  private readonly read = (data: Buffer | string) => {
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    const limit = this.options.maxLineBytes ?? MAX_LINE_BYTES;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10)) {
      const end = chunk.subarray(0, newline);
      chunk = chunk.subarray(newline + 1);
      if (this.skipping) {
        this.skipping = false;
      } else {
        this.chunks.push(end);
        this.line(Buffer.concat(this.chunks).toString('utf8'));
      }
      this.chunks = [];
      this.size = 0;
    }
    if (this.skipping || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > limit) {
      this.chunks = [];
      this.size = 0;
      this.skipping = true;
      this.reject(null, -32600, `Message too large: messages are read up to ${limit} bytes`);
    }
  };

  private line(text: string): void {
    const trimmed = text.replace(/^\uFEFF/, '').trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      this.reject(null, -32700, `Parse error: ${(error as Error).message}`);
      return;
    }
    if (!this.options.isMessage(value)) {
      const id = (value as Message | null)?.id;
      const known = typeof id === 'string' || typeof id === 'number';
      this.reject(known ? id : null, -32600, 'Invalid request: not a JSON-RPC 2.0 message');
      return;
    }
    this.onmessage?.(value as never);
  }

  private reject(id: string | number | null, code: number, message: string): void {
    void this.send({ jsonrpc: '2.0', id, error: { code, message } });
    this.onerror?.(new Error(message));
  }
}
