import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FormData as InjectedFormData } from '../../../src/core/model-client/fetch-globals.js';
import { HttpHeaders } from '../../../src/core/model-client/headers.js';
import { HttpResponse } from '../../../src/core/model-client/response.js';

describe('HttpHeaders', () => {
  it('treats names case-insensitively and joins repeated values as WHATWG Headers do', () => {
    const headers = new HttpHeaders({ 'Content-Type': ' application/json ' });
    headers.append('Accept', 'text/plain');
    headers.append('accept', 'application/json');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('ACCEPT')).toBe('text/plain, application/json');
    expect(headers.has('Accept')).toBe(true);
    headers.set('accept', 'x/y');
    expect(headers.get('accept')).toBe('x/y');
    headers.delete('Accept');
    expect(headers.has('accept')).toBe(false);
    expect(headers.get('accept')).toBeNull();
  });

  it('iterates sorted by lower-case name, with each cookie apart, like Node’s Headers', () => {
    const init: [string, string][] = [
      ['X-B', '2'],
      ['set-cookie', 'a=1'],
      ['x-a', '1'],
      ['Set-Cookie', 'b=2'],
      ['x-b', '3'],
    ];
    const ours = new HttpHeaders(init);
    const node = new Headers(init);
    expect([...ours]).toEqual([...node]);
    expect([...ours.keys()]).toEqual([...node.keys()]);
    expect([...ours.values()]).toEqual([...node.values()]);
    expect(ours.getSetCookie()).toEqual(node.getSetCookie());
    const seen: string[] = [];
    ours.forEach((value, name) => {
      seen.push(`${name}=${value}`);
    });
    expect(seen).toEqual(['set-cookie=a=1', 'set-cookie=b=2', 'x-a=1', 'x-b=2, 3']);
  });

  it('copies another Headers object or a record', () => {
    expect([...new HttpHeaders(new Headers({ a: '1' }))]).toEqual([['a', '1']]);
    expect([...new HttpHeaders(new HttpHeaders({ B: '2' }))]).toEqual([['b', '2']]);
    expect([...new HttpHeaders()]).toEqual([]);
  });
});

function response(body: string[] | Readable | null, status = 200) {
  const headers = new HttpHeaders({ 'content-type': 'application/json' });
  const stream = Array.isArray(body) ? Readable.from(body.map((c) => Buffer.from(c))) : body;
  return new HttpResponse(stream, {
    status,
    statusText: 'Status',
    headers,
    url: 'http://127.0.0.1/v1/x',
    redirected: false,
  });
}

describe('HttpResponse', () => {
  it('reads a body once, as JSON or text', async () => {
    const ok = response(['{"a":', '"é"}']);
    expect(ok.ok).toBe(true);
    expect(ok.bodyUsed).toBe(false);
    expect(await ok.json()).toEqual({ a: 'é' });
    expect(ok.bodyUsed).toBe(true);
    await expect(ok.text()).rejects.toThrow(/already been read/);
  });

  it('fails a read when the stream is destroyed before it ends', async () => {
    const stream = new PassThrough();
    const reading = response(stream).text();
    stream.write('part');
    stream.destroy();
    await expect(reading).rejects.toThrow(/ended early/);
  });

  it('gives bytes, an ArrayBuffer and a Blob typed by content-type', async () => {
    expect(Buffer.from(await response(['ab', 'c']).bytes()).toString()).toBe('abc');
    expect(new Uint8Array(await response(['xyz']).arrayBuffer())).toEqual(
      new Uint8Array([120, 121, 122]),
    );
    const blob = await response(['{}']).blob();
    expect(blob.type).toBe('application/json');
    expect(await blob.text()).toBe('{}');
  });

  it('exposes the body as a web stream, and an empty body as null', async () => {
    const streamed = response(['data: 1\n\n', 'data: 2\n\n']);
    const body = streamed.body;
    expect(streamed.body).toBe(body);
    const parts: string[] = [];
    for await (const chunk of body as ReadableStream<Uint8Array>) {
      parts.push(Buffer.from(chunk).toString());
    }
    expect(parts.join('')).toBe('data: 1\n\ndata: 2\n\n');

    const empty = response(null, 204);
    expect(empty.body).toBeNull();
    expect(await empty.text()).toBe('');
    expect(response(null, 404).ok).toBe(false);
  });

  it('reads the whole body through text() after the web stream was taken', async () => {
    const taken = response(['par', 'tial']);
    expect(taken.body).not.toBeNull();
    expect(await taken.text()).toBe('partial');
  });
});

describe('the FormData the build injects', () => {
  it('recognises Node’s forms without being one, and constructs a real one', () => {
    const Form = InjectedFormData as unknown as typeof FormData;
    const form = new Form();
    expect(form).toBeInstanceOf(FormData);
    expect(form instanceof Form).toBe(true);
    expect(new FormData() instanceof Form).toBe(true);
    expect({} instanceof Form).toBe(false);
    expect(Object('text') instanceof Form).toBe(false);
  });
});
