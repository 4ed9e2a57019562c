export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  response_format?: { type: string };
  [key: string]: unknown;
}

export interface ReplyScript {
  content?: string;
  status?: number;
  message?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  raw?: string | Uint8Array;
  contentEncoding?: string;
  redirect?: string;
  contentType?: string;
  cutAfterChunks?: number;
  stallAfterChunks?: number;
  chunkDelayMs?: number;
  finishReason?: string;
  usage?: false;
  stallAfterHeaders?: boolean;
  cutBody?: boolean;
  notFoundPage?: boolean;
  streamError?: { message?: string; code?: string | number | null; type?: string; status?: number };
  afterChunks?: number;
}

export type Reply = (
  request: ChatRequestBody,
  index: number,
  headers: Record<string, string | string[] | undefined>,
) => ReplyScript | Promise<ReplyScript>;

export interface RecordedRequest {
  body: ChatRequestBody;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface ModelServer {
  url: string;
  requests: RecordedRequest[];
  setReply(reply: Reply): void;
  close(): Promise<void>;
}

export function echoReply(request: ChatRequestBody): ReplyScript;
export const TEST_CERT: string;
export function startModelServer(options?: {
  reply?: Reply;
  port?: number;
  /** Serve HTTPS with the certificate in TEST_CERT. */
  tls?: boolean;
}): Promise<ModelServer>;
