import { afterEach } from 'vitest';
import { type ModelServer, type Reply, startModelServer } from './model-server.mjs';

const servers: ModelServer[] = [];

/** A model server on 127.0.0.1, closed after the current test. */
export async function modelServer(reply?: Reply): Promise<ModelServer> {
  const server = await startModelServer(reply ? { reply } : {});
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
