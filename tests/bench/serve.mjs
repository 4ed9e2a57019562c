// The test model server in its own process, answering at once (or after --delay ms).
import { startModelServer } from '../support/model-server.mjs';

const delay = Number(process.argv[process.argv.indexOf('--delay') + 1] || 0);
const server = await startModelServer({
  reply: (request) => ({
    content: `ok ${request.messages.at(-1)?.content.length ?? 0}`,
    delayMs: delay,
  }),
});
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
