// A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API, for tests and
// benchmarks: JSON and SSE streaming (with a usage chunk), /models, and scripted faults.
// Plain JavaScript so benchmarks can use it without a build step.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

/** A self-signed certificate for 127.0.0.1 and localhost (valid until 2126), for TLS tests. */
export const TEST_CERT = new URL('./tls/cert.pem', import.meta.url).pathname;
const TEST_KEY = new URL('./tls/key.pem', import.meta.url).pathname;

const words = (text) => (text.trim() ? text.trim().split(/\s+/).length : 0);

function messageText(messages) {
  return (messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
}

/** The default reply: echoes the last user message. */
export function echoReply(request) {
  const last = [...(request.messages ?? [])].reverse().find((m) => m.role === 'user');
  return { content: `Echo: ${last?.content ?? ''}` };
}

function errorBody(status, message) {
  const type =
    status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit' : 'server_error';
  return JSON.stringify({
    error: { message, type, code: status === 404 ? 'model_not_found' : null },
  });
}

/**
 * reply(request, index, headers) returns a script for one request:
 *   { content }                    a normal answer (JSON, or SSE when the request streams)
 *   { status, message, headers }   an error status with an OpenAI-style error body
 *   { delayMs }                    wait before answering
 *   { raw, contentType }           a body sent as is (malformed JSON…)
 *   { cutAfterChunks: n }          stream n content chunks, then drop the connection
 *   { stallAfterChunks: n }        stream n content chunks, then send nothing more
 *   { chunkDelayMs }               wait between stream chunks
 *   { usage: false }               no usage in the answer
 *   { redirect: url, status }      a redirect (307 unless status says otherwise) to url
 *   { raw, contentEncoding }       a body sent as is, with that content-encoding (gzip…)
 *   { stallAfterHeaders: true }    (not streamed) send the headers, then nothing
 *   { cutBody: true }              (not streamed) send half the JSON body, then drop the connection
 *   { notFoundPage: true }         a 404 with Express's HTML page (`Cannot POST /path`)
 *   { streamError, afterChunks }   (streamed) n content chunks, then an `{"error": streamError}`
 *                                  event in the 200 stream, then the end
 */
export async function startModelServer({ reply = echoReply, port = 0, tls = false } = {}) {
  const requests = [];
  let script = reply;
  const sockets = new Set();

  const server = (
    tls
      ? (handler) =>
          createTlsServer({ key: readFileSync(TEST_KEY), cert: readFileSync(TEST_CERT) }, handler)
      : createServer
  )((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model' }] }));
        return;
      }
      if (req.method !== 'POST' || !url.pathname.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(errorBody(404, `No route ${req.method} ${url.pathname}`));
        return;
      }
      let request;
      try {
        request = JSON.parse(body);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(errorBody(400, 'Request body is not JSON'));
        return;
      }
      const index = requests.length;
      requests.push({ body: request, headers: req.headers, at: Date.now() });
      const plan = (await script(request, index, req.headers)) ?? {};
      if (plan.delayMs) await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
      if (res.destroyed) return;
      if (plan.redirect !== undefined) {
        res.writeHead(plan.status ?? 307, { location: plan.redirect });
        res.end();
        return;
      }
      if (plan.raw !== undefined) {
        res.writeHead(plan.status ?? 200, {
          'content-type': plan.contentType ?? 'application/json',
          ...(plan.contentEncoding ? { 'content-encoding': plan.contentEncoding } : {}),
        });
        res.end(plan.raw);
        return;
      }
      if (plan.notFoundPage) {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${req.method} ${url.pathname}</pre>\n</body>\n</html>\n`,
        );
        return;
      }
      if (plan.status && plan.status >= 400) {
        res.writeHead(plan.status, { 'content-type': 'application/json', ...(plan.headers ?? {}) });
        res.end(errorBody(plan.status, plan.message ?? `Scripted error ${plan.status}`));
        return;
      }
      const content = plan.content ?? '';
      const usage = {
        prompt_tokens: words(messageText(request.messages)),
        completion_tokens: words(content),
        total_tokens: words(messageText(request.messages)) + words(content),
      };
      const base = {
        id: `chatcmpl-${index}`,
        created: Math.floor(Date.now() / 1000),
        model: request.model,
      };
      if (!request.stream) {
        if (plan.stallAfterHeaders) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.flushHeaders();
          return;
        }
        const json = JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content },
              finish_reason: plan.finishReason ?? 'stop',
            },
          ],
          ...(plan.usage === false ? {} : { usage }),
        });
        if (plan.cutBody) {
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(json),
          });
          res.write(json.slice(0, Math.floor(json.length / 2)));
          await new Promise((resolve) => setTimeout(resolve, 30));
          res.destroy();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(json);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (data) =>
        res.write(
          `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...data })}\n\n`,
        );
      const pause = () =>
        plan.chunkDelayMs ? new Promise((r) => setTimeout(r, plan.chunkDelayMs)) : null;
      send({
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      });
      const pieces = content.match(/\S+\s*|\s+/g) ?? [];
      for (const [i, piece] of pieces.entries()) {
        if (plan.streamError && i >= (plan.afterChunks ?? 0)) break;
        if (plan.cutAfterChunks !== undefined && i >= plan.cutAfterChunks) {
          // Let what was written reach the client, then drop the connection.
          await new Promise((resolve) => setTimeout(resolve, 30));
          res.destroy();
          return;
        }
        if (plan.stallAfterChunks !== undefined && i >= plan.stallAfterChunks) return;
        await pause();
        if (res.destroyed) return;
        send({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
      }
      if (plan.streamError) {
        res.end(`data: ${JSON.stringify({ error: plan.streamError })}\n\n`);
        return;
      }
      send({ choices: [{ index: 0, delta: {}, finish_reason: plan.finishReason ?? 'stop' }] });
      if (request.stream_options?.include_usage && plan.usage !== false)
        send({ choices: [], usage });
      res.end('data: [DONE]\n\n');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}/v1`,
    requests,
    setReply(next) {
      script = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
