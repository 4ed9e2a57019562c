// The `fetch` the openai client sends its requests through: node:http and node:https with
// their keep-alive agents. Node's built-in fetch implements all of WHATWG fetch in JavaScript
// and is slow while cold: a process's first request costs about 12 ms more than here, and
// later ones about 1 ms more each, which a CLI that starts for every run and batches
// thousands of calls pays in full. It behaves as fetch does where the openai client can
// tell: abort signals reject with an AbortError (and cut a body being read), failures to
// connect reject with a TypeError whose `cause` is the socket error, redirects are followed,
// compressed bodies are decoded. It answers with an HttpResponse, not Node's Response, so
// a call never loads Node's fetch implementation (see headers.ts). Bodies it does not handle
// (streams, forms) go to the built-in fetch.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { HttpHeaders } from './headers.js';
import { HttpResponse } from './response.js';

const MAX_REDIRECTS = 20;
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

type Body = string | Uint8Array | undefined;

export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}) {
  const body = plainBody(init.body);
  if (!(typeof input === 'string' || input instanceof URL) || body === null) {
    return fetch(input, init);
  }
  let url = new URL(input);
  let method = (init.method ?? 'GET').toUpperCase();
  let payload = body;
  const headers = Object.fromEntries(new HttpHeaders(init.headers));
  for (let redirects = 0; ; redirects++) {
    // TLS and zlib load only when a call needs them (local servers speak plain HTTP).
    const request = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
    const response = await send(request, url, method, headers, payload, init.signal ?? undefined);
    const location = response.headers.location;
    if (!isRedirect(response.statusCode) || !location || redirects >= MAX_REDIRECTS) {
      const zlib = response.headers['content-encoding'] ? await import('node:zlib') : null;
      const signal = init.signal ?? undefined;
      return toResponse(response, { url, redirected: redirects > 0, method, signal }, zlib);
    }
    response.resume();
    url = new URL(location, url);
    // As fetch does: 303 (and 301/302 after a POST) become a GET without a body.
    const status = response.statusCode ?? 0;
    if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET';
      payload = undefined;
      delete headers['content-type'];
    }
  }
}

/** A string or bytes; null for any other kind of body. */
function plainBody(body: RequestInit['body']): Body | null {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return null;
}

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'AbortError'
    ? reason
    : new DOMException('This operation was aborted', 'AbortError');
}

function send(
  request: typeof httpRequest,
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: Body,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const length = body === undefined ? {} : { 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method, headers: { ...headers, ...length } });
    const onAbort = () => req.destroy(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (response) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(response);
    });
    req.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error.name === 'AbortError' ? error : new TypeError('fetch failed', { cause: error }));
    });
    req.end(body);
  });
}

type Zlib = typeof import('node:zlib');

interface Sent {
  url: URL;
  redirected: boolean;
  method: string;
  signal: AbortSignal | undefined;
}

function toResponse(
  message: IncomingMessage,
  { url, redirected, method, signal }: Sent,
  zlib: Zlib | null,
): Response {
  const headers = new HttpHeaders();
  for (let i = 0; i < message.rawHeaders.length; i += 2) {
    headers.append(message.rawHeaders[i] as string, message.rawHeaders[i + 1] as string);
  }
  const status = message.statusCode ?? 0;
  const init = {
    status,
    statusText: message.statusMessage ?? '',
    headers,
    url: url.href,
    redirected,
  };
  // The openai client reads what it uses of a Response; see response.ts.
  const respond = (body: Readable | null) => new HttpResponse(body, init) as unknown as Response;
  if (method === 'HEAD' || NULL_BODY_STATUS.has(status)) {
    message.resume();
    return respond(null);
  }
  const decoded = zlib ? decode(message, headers, zlib) : message;
  // Aborting after the headers arrived cuts the body, as it does with fetch.
  if (signal) {
    const onAbort = () => decoded.destroy(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    decoded.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return respond(decoded);
}

/** The body, decompressed when the server compressed it. */
function decode(message: IncomingMessage, headers: HttpHeaders, zlib: Zlib): Readable {
  const encoding = headers.get('content-encoding')?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : null;
  if (!decoder) return message;
  headers.delete('content-encoding');
  headers.delete('content-length');
  message.on('error', (error) => decoder.destroy(error));
  return message.pipe(decoder);
}
