// Chat completions over the openai package, for any OpenAI-compatible server. The client's
// own retries are off: this module retries (connection errors, 408, 409, 429, 5xx) with
// exponential backoff and jitter, honours `retry-after` up to a cap, watches streams for
// silence, and turns every failure into a ModelCallError or a CancelledError.
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { redactSecret } from '../secrets.js';
import {
  apiMessage,
  isBodyCut,
  isModelNotFound,
  isRetryableStatus,
  isStreamedError,
  readStreamedError,
  rootCause,
} from './api-errors.js';
import { CancelledError, ModelCallError } from './errors.js';
import { hostOf } from './host.js';
import { modelFetch } from './http.js';
import type {
  CallOptions,
  CallParameters,
  ModelClient,
  ModelClientSettings,
  ModelRequest,
  ModelResponse,
} from './types.js';

type Attempt = Omit<ModelResponse, 'attempts'>;

/** A failure of one attempt, before we know whether another follows. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly options: {
      status?: number;
      retryAfterMs?: number;
      hint?: string;
      unreachable?: string;
    } = {},
  ) {
    super(message);
  }
}

export function createModelClient(
  settings: ModelClientSettings & { keyName?: string },
): ModelClient {
  const client = new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    maxRetries: 0,
    timeout: settings.timeoutMs,
    fetch: modelFetch,
  });
  const host = hostOf(settings.baseURL);

  return {
    async complete(request: ModelRequest, options: CallOptions = {}): Promise<ModelResponse> {
      let partialText = '';
      const onToken = (text: string) => {
        partialText += text;
        options.onToken?.(text);
      };
      for (let attempt = 1; ; attempt++) {
        try {
          const result = options.stream
            ? await streamOnce(client, request, settings, onToken, options.signal)
            : await callOnce(client, request, settings, options.signal);
          return { ...result, attempts: attempt };
        } catch (thrown) {
          if (options.signal?.aborted) throw new CancelledError({ attempts: attempt, partialText });
          const error = classify(thrown, { host, model: request.model, settings });
          // A server may quote the key back ("invalid key sk-…"): it is never shown or stored.
          error.message = redactSecret(error.message, settings.apiKey);
          // Text already shown to the user cannot be taken back: no retry after it.
          const canRetry = error.retryable && partialText === '' && attempt <= settings.maxRetries;
          if (!canRetry) {
            const suffix = attempt > 1 ? ` (after ${attempt} attempts)` : '';
            throw new ModelCallError(
              `${error.message}${suffix}`,
              {
                attempts: attempt,
                partialText,
                status: error.options.status,
                unreachable: error.options.unreachable,
              },
              error.options.hint,
            );
          }
          const delayMs = retryDelay(attempt, error.options.retryAfterMs, settings);
          options.onRetry?.({ attempt, delayMs, reason: error.message });
          try {
            await sleep(delayMs, options.signal);
          } catch {
            throw new CancelledError({ attempts: attempt, partialText });
          }
        }
      }
    },
  };
}

function requestBody(request: ModelRequest) {
  const p = request.parameters;
  return {
    // Extra fields first: they never replace the model, the messages or a known parameter.
    ...p.extra,
    model: request.model,
    messages: request.messages as OpenAI.Chat.ChatCompletionMessageParam[],
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    ...(p.maxTokens !== undefined ? { max_tokens: p.maxTokens } : {}),
    ...(p.topP !== undefined ? { top_p: p.topP } : {}),
    ...(p.stop !== undefined ? { stop: p.stop } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    ...responseFormatOf(p.responseFormat),
  };
}

function responseFormatOf(format: CallParameters['responseFormat']) {
  if (format === 'json') return { response_format: { type: 'json_object' as const } };
  if (format === undefined || format === 'text') return {};
  const { name, schema, strict } = format;
  return {
    response_format: { type: 'json_schema' as const, json_schema: { name, schema, strict } },
  };
}

async function callOnce(
  client: OpenAI,
  request: ModelRequest,
  settings: ModelClientSettings,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const deadline = startDeadline(settings, signal);
  let response: OpenAI.Chat.Completions.ChatCompletion;
  try {
    response = await client.chat.completions.create(
      { ...requestBody(request), stream: false },
      { signal: deadline.signal },
    );
  } catch (error) {
    // Whether the headers had come or not, it is the same timeout, retried as before.
    if (deadline.overdue()) throw timedOut(settings);
    if (!signal?.aborted && isBodyCut(error)) {
      throw new AttemptError(
        `the answer was cut off before it was complete (${rootCause(error).message})`,
        true,
      );
    }
    throw error;
  } finally {
    deadline.dispose();
  }
  const choice = response?.choices?.[0];
  if (!choice || typeof choice.message?.content !== 'string') {
    throw new AttemptError('the server sent a malformed answer (no message content)', false);
  }
  return {
    text: choice.message.content,
    finishReason: choice.finish_reason ?? null,
    inputTokens: response.usage?.prompt_tokens ?? null,
    outputTokens: response.usage?.completion_tokens ?? null,
  };
}

/**
 * The client's own timeout ends when the headers arrive; this bounds the whole call, body
 * included, and forwards the caller's cancel.
 */
function startDeadline(settings: ModelClientSettings, signal: AbortSignal | undefined) {
  const controller = new AbortController();
  const forward = () => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  let overdue = false;
  const timer = setTimeout(() => {
    overdue = true;
    controller.abort();
  }, settings.timeoutMs);
  return {
    controller,
    signal: controller.signal,
    overdue: () => overdue,
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    },
  };
}

function timedOut(settings: ModelClientSettings): AttemptError {
  return new AttemptError(
    `the request to ${hostOf(settings.baseURL)} timed out after ${settings.timeoutMs / 1000}s`,
    true,
    { hint: 'raise it with --timeout or `config set timeout`' },
  );
}

function tooLong(settings: ModelClientSettings): AttemptError {
  return new AttemptError(
    `the answer took longer than the ${settings.timeoutMs / 1000}s timeout`,
    false,
    { hint: 'raise it with --timeout or `config set timeout`' },
  );
}

async function streamOnce(
  client: OpenAI,
  request: ModelRequest,
  settings: ModelClientSettings,
  onToken: (text: string) => void,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const deadline = startDeadline(settings, signal);
  const { controller } = deadline;
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      controller.abort();
    }, settings.idleTimeoutMs);
  };
  let text = '';
  let finishReason: string | null = null;
  let inputTokens: number | null = null;
  let outputTokens: number | null = null;
  let started = false;
  const silent = () =>
    new AttemptError(`the stream went silent for ${settings.idleTimeoutMs / 1000}s`, true);
  try {
    const stream = await client.chat.completions.create(
      { ...requestBody(request), stream: true, stream_options: { include_usage: true } },
      { signal: controller.signal },
    );
    started = true;
    armIdleTimer();
    for await (const chunk of stream) {
      armIdleTimer();
      if (chunk.usage) {
        inputTokens = chunk.usage.prompt_tokens ?? null;
        outputTokens = chunk.usage.completion_tokens ?? null;
      }
      const choice = chunk.choices?.[0];
      const piece = choice?.delta?.content;
      if (piece) {
        text += piece;
        onToken(piece);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
    }
  } catch (error) {
    if (deadline.overdue()) throw tooLong(settings);
    if (idle) throw silent();
    // An error event inside the stream: classify reads its message and status.
    if (isStreamedError(error)) throw error;
    if (started && !signal?.aborted) {
      const reason = rootCause(error).message;
      throw new AttemptError(
        `the stream was cut off before the answer was complete (${reason})`,
        true,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    deadline.dispose();
  }
  if (deadline.overdue()) throw tooLong(settings);
  if (idle) throw silent();
  if (finishReason === null) {
    throw new AttemptError('the stream ended before the answer was complete', true);
  }
  return { text, finishReason, inputTokens, outputTokens };
}

interface ClassifyContext {
  host: string;
  model: string;
  settings: ModelClientSettings & { keyName?: string };
}

function classify(error: unknown, context: ClassifyContext): AttemptError {
  if (error instanceof AttemptError) return error;
  if (error instanceof APIUserAbortError) return new AttemptError('the request was aborted', true);
  if (error instanceof APIConnectionTimeoutError) return timedOut(context.settings);
  if (error instanceof APIConnectionError) {
    const cause = rootCause(error) as Error & { code?: string };
    const reason = cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.message;
    const malformed = /JSON|Unexpected token|parse/i.test(reason);
    if (malformed) return new AttemptError(`the server sent a malformed answer: ${reason}`, false);
    if (/CERT|SIGNATURE|ALTNAME/.test(cause.code ?? '')) {
      // Newer Node versions append advice of their own after a semicolon; the hint is ours.
      const problem = reason.split(';')[0]?.trim() ?? reason;
      return new AttemptError(
        `${context.host} has a TLS certificate Node does not trust: ${problem}`,
        false,
        {
          hint: 'if you trust it, name its CA in NODE_EXTRA_CA_CERTS=<file.pem>',
          unreachable: context.host,
        },
      );
    }
    return new AttemptError(`cannot connect to ${context.host}: ${reason}`, true, {
      hint: 'is the server running? check baseUrl or OPENAI_BASE_URL',
      unreachable: context.host,
    });
  }
  if (isStreamedError(error)) {
    const event = readStreamedError(error);
    const suffix = event.code !== undefined ? ` (${event.code})` : '';
    return new AttemptError(
      `${context.host} sent an error in the stream${suffix}: ${event.message}`,
      event.retryable,
      { status: event.status },
    );
  }
  if (error instanceof APIError && error.status !== undefined) {
    const status = error.status;
    const detail = apiMessage(error);
    const retryAfterMs = retryAfter(error.headers);
    if (status === 401 || status === 403) {
      const keyName = context.settings.keyName ?? 'OPENAI_API_KEY';
      return new AttemptError(`authentication failed (${status}): ${detail}`, false, {
        status,
        hint: `check ${keyName}`,
      });
    }
    if (status === 404 && !isModelNotFound(error)) {
      return new AttemptError(`the path was not found at ${context.host} (${detail})`, false, {
        status,
        hint: 'check that the base URL ends with its API path, such as /v1',
      });
    }
    if (status === 404) {
      return new AttemptError(
        `model "${context.model}" not found at ${context.host} (404): ${detail}`,
        false,
        {
          status,
          hint: 'check the model name and the endpoint',
        },
      );
    }
    const retryable = isRetryableStatus(status);
    return new AttemptError(`${context.host} answered ${status}: ${detail}`, retryable, {
      status,
      retryAfterMs,
    });
  }
  if (error instanceof SyntaxError) {
    return new AttemptError(`the server sent a malformed answer: ${error.message}`, false);
  }
  throw error;
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with jitter, or the server's `retry-after`; never above the cap. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  settings: Pick<ModelClientSettings, 'baseRetryDelayMs' | 'maxRetryDelayMs'>,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, settings.maxRetryDelayMs);
  const exponential = settings.baseRetryDelayMs * 2 ** (attempt - 1);
  const jittered = exponential * (0.5 + Math.random() * 0.5);
  return Math.min(jittered, settings.maxRetryDelayMs);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
