// The `fetch` the openai client sends its requests through: undici's, with one dispatcher per
// process that keeps connections alive and honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
// Loopback hosts never go through a proxy: a local server is never on the proxy's side.
// Redirects are followed here, not by fetch, because fetch resends every header to whatever
// origin a `Location` names: the API key in `Authorization` must only ever reach the origin
// the user configured, so a redirect elsewhere (another host, port or scheme) is refused.
import type { Agent, EnvHttpProxyAgent } from 'undici';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

type Undici = typeof import('undici');
type UndiciInit = NonNullable<Parameters<Undici['fetch']>[1]>;

let undici: Undici | undefined;
let proxied: EnvHttpProxyAgent | undefined;
let direct: Agent | undefined;

/** Loads undici on the first call: commands that call no model never pay for it. */
async function load(): Promise<Undici> {
  undici ??= await import('undici');
  return undici;
}

/** localhost (and its subdomains), 127.0.0.0/8 and ::1. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

// The call's own limits (`--timeout`, the stream's idle limit) bound it: undici's default
// header and body timeouts would cut a longer `--timeout` short.
const AGENT_OPTIONS = { headersTimeout: 0, bodyTimeout: 0 };

function dispatcherFor(url: URL, lib: Undici): Agent | EnvHttpProxyAgent {
  if (isLoopback(url.hostname)) {
    direct ??= new lib.Agent(AGENT_OPTIONS);
    return direct;
  }
  proxied ??= new lib.EnvHttpProxyAgent(AGENT_OPTIONS);
  return proxied;
}

/** Only a body that can be sent twice is resent after a redirect. */
function reusable(body: RequestInit['body']): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer
  );
}

/**
 * The redirect's status with a body saying why it was not followed: the openai client turns
 * it into an API error, reported in one line and not retried.
 */
function refusedRedirect(status: number, target: URL, lib: Undici): Response {
  const message =
    `redirected to ${target.origin}, another origin: not followed, ` +
    'the API key is only sent to the configured endpoint';
  return new lib.Response(JSON.stringify({ error: { message } }), {
    status,
    headers: { 'content-type': 'application/json' },
  }) as unknown as Response;
}

export async function modelFetch(
  input: string | URL | Request,
  init: RequestInit = {},
): Promise<Response> {
  const lib = await load();
  let url = new URL(input instanceof Request ? input.url : input);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  const origin = url.origin;
  for (let redirects = 0; ; redirects++) {
    const options = {
      ...init,
      method,
      body,
      redirect: 'manual',
      dispatcher: dispatcherFor(url, lib),
    } as unknown as UndiciInit;
    const response = (await lib.fetch(url, options)) as unknown as Response;
    const location = response.headers.get('location');
    if (!REDIRECT_STATUS.has(response.status) || !location || redirects >= MAX_REDIRECTS) {
      return response;
    }
    if (!reusable(body)) return response;
    const target = new URL(location, url);
    await response.body?.cancel();
    if (target.origin !== origin) return refusedRedirect(response.status, target, lib);
    url = target;
    // As fetch does: 303 (and 301/302 after a POST) become a GET without a body.
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === 'POST')
    ) {
      method = 'GET';
      body = undefined;
    }
  }
}
