import { afterEach } from 'vitest';
import { type ModelServer, type Reply, startModelServer } from './model-server.mjs';

const servers: ModelServer[] = [];

/** A model server on 127.0.0.1, closed after the current test. */
export async function modelServer(
  reply?: Reply,
  options: { tls?: boolean } = {},
): Promise<ModelServer> {
  const server = await startModelServer({ ...options, ...(reply ? { reply } : {}) });
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
