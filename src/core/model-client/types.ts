/** A piece of a message with more than text: OpenAI's content parts. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: 'file'; file: { file_data: string; filename: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  /** Text, or parts when the message carries media. */
  content: string | ContentPart[];
}

/** Asks for an answer that follows a JSON Schema (`strict` where the schema allows it). */
export interface JsonSchemaFormat {
  type: 'json_schema';
  name: string;
  schema: Record<string, unknown>;
  strict: boolean;
}

/** Sampling parameters sent with a call; every one of them is part of the cache key. */
export interface CallParameters {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  /** `json` asks the model for a JSON object; a schema asks for an answer that follows it. */
  responseFormat?: 'text' | 'json' | JsonSchemaFormat;
  /** Other request fields, sent as given (a `.prompt` file's unknown `config` keys). */
  extra?: Record<string, unknown>;
}

export interface ModelRequest {
  model: string;
  messages: ChatMessage[];
  parameters: CallParameters;
}

export interface ModelResponse {
  text: string;
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  attempts: number;
}

export interface CallOptions {
  stream?: boolean;
  /** Each piece of a streamed answer, as it arrives. */
  onToken?: (text: string) => void;
  /** Aborts the call (Ctrl-C): it then fails with a CancelledError. */
  signal?: AbortSignal;
  /** Told before each retry, with the reason and the wait. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface ModelClientSettings {
  baseURL: string;
  apiKey: string;
  /** Whole-request timeout (for a stream: until its headers arrive). */
  timeoutMs: number;
  /** Longest silence allowed between two pieces of a stream. */
  idleTimeoutMs: number;
  maxRetries: number;
  /** Longest wait before a retry, whatever `retry-after` asks for. */
  maxRetryDelayMs: number;
  /** First backoff step; doubles on each retry. */
  baseRetryDelayMs: number;
}

export interface ModelClient {
  complete(request: ModelRequest, options?: CallOptions): Promise<ModelResponse>;
}
