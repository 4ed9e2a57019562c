export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Sampling parameters sent with a call; every one of them is part of the cache key. */
export interface CallParameters {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  /** `json` asks the model for a JSON object. */
  responseFormat?: 'text' | 'json';
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
