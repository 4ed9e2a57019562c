// The parts of the MCP SDK the server uses: its low-level server, the stdio transport and the
// request schemas. Built as its own file (dist/mcp-sdk.cjs), loaded only by `prompt-runner
// mcp`, so the SDK (and the zod build it brings) costs no other command its start-up.
export { Server } from '@modelcontextprotocol/sdk/server/index.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
