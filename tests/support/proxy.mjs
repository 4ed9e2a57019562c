// A forward HTTP proxy on 127.0.0.1 for tests: it forwards absolute-URI requests and tunnels
// CONNECT, recording each one. Hosts in `hosts` are mapped (model.test → 127.0.0.1), so a
// name only the proxy can resolve proves a request went through it.
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export async function startProxy({ hosts = {} } = {}) {
  const seen = [];
  const sockets = new Set();
  const resolve = (host) => hosts[host] ?? host;

  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '' });
    const url = new URL(req.url ?? '');
    const upstream = httpRequest(
      {
        host: resolve(url.hostname),
        port: url.port || 80,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    seen.push({ method: 'CONNECT', target: req.url ?? '' });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), resolve(host), () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
