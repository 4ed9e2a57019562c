// `prompt-runner mcp`: the prompt library and the tools over MCP on stdio, with the official
// SDK's low-level server (not its HTTP stack) on a line transport of our own. Stdout carries the
// protocol alone; logs go to stderr. A bad request is answered with an error, never an exit.
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../core/errors.js';
import type { Services } from '../services/index.js';
import type { PromptScope } from '../services/prompt-service.js';
import { LineTransport } from './line-transport.js';
import { PromptLibrary } from './prompts.js';
import { listResources, readResource } from './resources.js';
import { callTool, toolList } from './tools.js';

/** What the server serves, opened while the client's `initialize` is answered. */
export interface McpLibrary {
  services: Services;
  scope: PromptScope;
}

export interface McpServerOptions {
  /** Opens the store; rejects (the server then stops) when the project cannot be found. */
  open: () => Promise<McpLibrary>;
  label?: string;
  version: string;
  stdin: Readable;
  stdout: Writable;
  /** Diagnostics (stderr). */
  log: (line: string) => void;
  /** How often the library is checked for changes (made here or by other processes). */
  pollMs?: number;
}

/** Serves until stdin ends. */
export async function serveMcp(options: McpServerOptions): Promise<void> {
  const {
    CallToolRequestSchema,
    GetPromptRequestSchema,
    ListPromptsRequestSchema,
    ListResourcesRequestSchema,
    ListToolsRequestSchema,
    ReadResourceRequestSchema,
    JSONRPCMessageSchema,
    Server,
  } = await import('./sdk.js');
  // The store opens once the handshake is answered (or a request needs it): opening it takes
  // longer than the handshake, and an agent starts its servers all at once.
  let start: () => void = () => {};
  const begun = new Promise<void>((resolve) => {
    start = resolve;
  });
  const opened = begun
    .then(() => options.open())
    .then(async ({ services, scope }) => ({
      services,
      scope,
      prompts: await services.prompts(),
      library: new PromptLibrary(await services.prompts(), { scope, label: options.label }),
    }));
  opened.catch(() => {});
  const ready = () => {
    start();
    return opened;
  };
  const server = new Server(
    { name: 'prompt-runner', version: options.version },
    { capabilities: { prompts: { listChanged: true }, tools: {}, resources: {} } },
  );
  // Requests still being answered when the client closes stdin are answered before exit.
  const pending = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    return work.finally(() => pending.delete(work));
  };
  server.setRequestHandler(ListPromptsRequestSchema, () =>
    track(ready().then(async ({ library }) => ({ prompts: await library.list() }))),
  );
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    track(
      opened
        .then(({ library }) => library.get(request.params.name, request.params.arguments ?? {}))
        .catch((error: unknown) => {
          // A missing prompt or argument, a wrong type: the client asked for something invalid.
          if (!(error instanceof AppError)) throw error;
          throw invalidParams(error.message);
        }),
    ),
  );
  server.setRequestHandler(ListResourcesRequestSchema, () =>
    track(
      ready().then(async ({ services, scope }) => ({
        resources: await listResources(services, scope, options.label),
      })),
    ),
  );
  server.setRequestHandler(ReadResourceRequestSchema, (request) =>
    track(
      opened
        .then(({ services, scope }) =>
          readResource(services, scope, request.params.uri, options.label),
        )
        .then(
          (content) => ({ contents: [content] }),
          (error: unknown) => {
            if (!(error instanceof AppError)) throw error;
            throw invalidParams(error.message);
          },
        ),
    ),
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolList() }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const token = request.params._meta?.progressToken;
    const progress = async (done: number, total: number, message: string) => {
      if (token === undefined) return;
      await extra
        .sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: done, total, message },
        })
        .catch(() => {});
    };
    const { name, arguments: input } = request.params;
    return track(
      ready().then(({ services, scope }) =>
        callTool(
          {
            services,
            scope,
            label: options.label,
            signal: extra.signal,
            progress,
            log: options.log,
          },
          name,
          input,
        ),
      ),
    );
  });
  server.onerror = (error) => options.log(`mcp: ${error.message}`);

  const transport = new LineTransport({
    stdin: options.stdin,
    stdout: options.stdout,
    isMessage: (value) => JSONRPCMessageSchema.safeParse(value).success,
  });
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    transport.onend = resolve;
  });
  server.oninitialized = start;
  await server.connect(transport as unknown as Parameters<typeof server.connect>[0]);
  // A client that never says it is initialized still gets a server.
  const fallback = setTimeout(start, 500);
  let library: Awaited<typeof opened>;
  try {
    library = await opened;
    clearTimeout(fallback);
  } catch (error) {
    await server.close().catch(() => {});
    throw error;
  }
  const { scope, prompts } = library;
  options.log(
    `prompt-runner MCP server: ${scope.project ? `project ${scope.project.name}` : 'global prompts'}${options.label ? `, label ${options.label}` : ''}`,
  );

  let last = await prompts.fingerprint();
  const timer = setInterval(async () => {
    try {
      const now = await prompts.fingerprint();
      if (now === last) return;
      last = now;
      await server.sendPromptListChanged();
    } catch (error) {
      options.log(`mcp: cannot check the prompt library: ${(error as Error).message}`);
    }
  }, options.pollMs ?? 2000);
  try {
    await closed;
    // The requests read last start on the next turns of the event loop; their answers are
    // written a turn after they settle.
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    await turn();
    while (pending.size > 0) await Promise.allSettled([...pending]);
    await turn();
  } finally {
    clearInterval(timer);
    await server.close().catch(() => {});
  }
}

/** An invalid-params error as the SDK sends it, without its "MCP error -32602: " prefix. */
function invalidParams(message: string): Error {
  return Object.assign(new Error(message), { code: -32602 });
}
