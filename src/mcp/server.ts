// `prompt-runner mcp`: the prompt library and the tools over MCP on stdio, with the official
// SDK's low-level server and stdio transport only (not its HTTP stack). Stdout carries the
// protocol alone; logs go to stderr. A bad request is answered with an error, never an exit.
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { AppError } from '../core/errors.js';
import type { Services } from '../services/index.js';
import type { PromptScope } from '../services/prompt-service.js';
import { PromptLibrary } from './prompts.js';
import { callTool, toolList } from './tools.js';

export interface McpServerOptions {
  services: Services;
  scope: PromptScope;
  label?: string;
  version: string;
  stdin: Readable;
  stdout: Writable;
  /** Diagnostics (stderr). */
  log: (line: string) => void;
  /** A cheap fingerprint of the prompt library: a change sends `prompts/list_changed`. */
  fingerprint: () => Promise<string>;
  /** How often the library is checked for changes (made here or by other processes). */
  pollMs?: number;
}

/** Serves until stdin ends. */
export async function serveMcp(options: McpServerOptions): Promise<void> {
  const {
    CallToolRequestSchema,
    ErrorCode,
    GetPromptRequestSchema,
    ListPromptsRequestSchema,
    ListToolsRequestSchema,
    McpError,
    Server,
    StdioServerTransport,
  } = await import('./sdk.js');
  const { services, scope } = options;
  const library = new PromptLibrary(await services.prompts(), { scope, label: options.label });
  const server = new Server(
    { name: 'prompt-runner', version: options.version },
    { capabilities: { prompts: { listChanged: true }, tools: {} } },
  );
  // Requests still being answered when the client closes stdin are answered before exit.
  const pending = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    return work.finally(() => pending.delete(work));
  };
  server.setRequestHandler(ListPromptsRequestSchema, () =>
    track(library.list().then((prompts) => ({ prompts }))),
  );
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    track(
      library.get(request.params.name, request.params.arguments ?? {}).catch((error: unknown) => {
        // A missing prompt or argument, a wrong type: the client asked for something invalid.
        if (!(error instanceof AppError)) throw error;
        throw new McpError(ErrorCode.InvalidParams, error.message);
      }),
    ),
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolList() }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    track(callTool(services, scope, request.params.name, request.params.arguments, extra.signal)),
  );
  server.onerror = (error) => options.log(`mcp: ${error.message}`);

  // The transport reads bytes: a stream of strings (an injected stdin) is made one of bytes.
  const stdin = options.stdin.pipe(new PassThrough());
  const transport = new StdioServerTransport(stdin, options.stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    stdin.once('end', resolve);
  });
  await server.connect(transport);
  options.log(
    `prompt-runner MCP server: ${scope.project ? `project ${scope.project.name}` : 'global prompts'}${options.label ? `, label ${options.label}` : ''}`,
  );

  let last = await options.fingerprint();
  const timer = setInterval(async () => {
    try {
      const now = await options.fingerprint();
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
