import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../../src/core/model-client/transport.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const servers: { close(): void; closeAllConnections(): void }[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('nodeFetch', () => {
  it('sends the method, headers and body, and reads status, headers and body', async () => {
    const url = await serve((req, body, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, 'Made', { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          body,
          length: req.headers['content-length'],
          auth: req.headers.authorization,
        }),
      );
    });
    const headers = new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' });
    const response = await nodeFetch(`${url}/v1/x`, { method: 'post', headers, body: '{"é":1}' });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({
      method: 'POST',
      body: '{"é":1}',
      length: '8',
      auth: 'Bearer k',
    });
  });

  it('follows redirects: 307 keeps the method and body, 303 becomes a GET', async () => {
    const url = await serve((req, body, res) => {
      if (req.url === '/keep') return res.writeHead(307, { location: '/echo' }).end();
      if (req.url === '/see-other') return res.writeHead(303, { location: '/echo' }).end();
      res.end(`${req.method} ${body}`);
    });
    const keep = await nodeFetch(`${url}/keep`, { method: 'POST', body: 'payload' });
    expect(await keep.text()).toBe('POST payload');
    expect(keep.redirected).toBe(true);
    expect(keep.url).toBe(`${url}/echo`);
    const other = await nodeFetch(`${url}/see-other`, { method: 'POST', body: 'payload' });
    expect(await other.text()).toBe('GET ');
  });

  it('decodes a gzip body and gives a 204 no body', async () => {
    const url = await serve((req, _body, res) => {
      if (req.url === '/empty') return res.writeHead(204).end();
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync('plain text'));
    });
    const zipped = await nodeFetch(`${url}/zipped`);
    expect(zipped.headers.get('content-encoding')).toBeNull();
    expect(await zipped.text()).toBe('plain text');
    const empty = await nodeFetch(`${url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('rejects with an AbortError when aborted before or while the answer arrives', async () => {
    const url = await serve((req, _body, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      res.write('first part');
    });
    const before = new AbortController();
    before.abort();
    await expect(nodeFetch(`${url}/slow`, { signal: before.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });

    const waiting = new AbortController();
    const pending = nodeFetch(`${url}/slow`, { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    const reading = new AbortController();
    const response = await nodeFetch(`${url}/partial`, { signal: reading.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first part');
    reading.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails a refused connection as fetch does: a TypeError caused by the socket error', async () => {
    const url = await serve(() => {});
    for (const server of servers.splice(0)) server.close();
    const error = await nodeFetch(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause: { code: string } }).cause.code).toBe('ECONNREFUSED');
  });

  it('errors a body the server cuts off', async () => {
    const url = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only some');
      setTimeout(() => res.destroy(), 20);
    });
    const response = await nodeFetch(url);
    await expect(response.text()).rejects.toThrow();
  });

  it('hands bodies it does not send itself (streams) to the built-in fetch', async () => {
    const url = await serve((_req, body, res) => res.end(`got ${body}`));
    const body = new Blob(['from a blob']).stream();
    const response = await nodeFetch(url, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(await response.text()).toBe('got from a blob');
  });
});
