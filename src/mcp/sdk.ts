// The parts of the MCP SDK the server uses: its low-level server and the message schemas. Built as its own file (dist/mcp-sdk.cjs), loaded only by `prompt-runner
// mcp`, so the SDK (and the zod build it brings) costs no other command its start-up.
export { Server } from '@modelcontextprotocol/sdk/server/index.js';
export {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  JSONRPCMessageSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
