import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineTransport } from '../../src/mcp/line-transport.js';

function setup(maxLineBytes = 64) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const written: unknown[] = [];
  stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) written.push(JSON.parse(line));
  });
  const transport = new LineTransport({
    stdin,
    stdout,
    isMessage: (value) => typeof value === 'object' && value !== null && 'jsonrpc' in value,
    maxLineBytes,
  });
  const received: unknown[] = [];
  const errors: string[] = [];
  transport.onmessage = ((message: unknown) => received.push(message)) as never;
  transport.onerror = (error) => errors.push(error.message);
  return { stdin, transport, written, received, errors };
}

describe('LineTransport', () => {
  it('reads messages split across chunks, and answers what it cannot read', async () => {
    const { stdin, transport, written, received, errors } = setup();
    let ended = false;
    transport.onend = () => {
      ended = true;
    };
    await transport.start();
    stdin.write('{"jsonrpc":"2.0","id":1,');
    stdin.write('"method":"a"}\n\n{oops}\n{"id":7}\n');
    stdin.write(`${'x'.repeat(100)}`);
    stdin.write(`${'y'.repeat(100)}\n{"jsonrpc":"2.0","id":2,"method":"b"}`);
    stdin.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'a' },
      { jsonrpc: '2.0', id: 2, method: 'b' },
    ]);
    expect(written).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: expect.stringMatching(/^Parse error/) },
      },
      {
        jsonrpc: '2.0',
        id: 7,
        error: { code: -32600, message: expect.stringMatching(/^Invalid request/) },
      },
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: expect.stringMatching(/too large/) },
      },
    ]);
    expect(errors).toHaveLength(3);
    expect(ended).toBe(true);
    await transport.close();
    await transport.send({ late: true });
    expect(written).toHaveLength(3);
  });
});
