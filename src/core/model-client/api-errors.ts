// Reading the failures the openai client throws: what a body, an error event or a 404 says.
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';

const RETRYABLE_STATUS = new Set([408, 409, 429]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

interface StreamedErrorBody {
  message?: unknown;
  code?: unknown;
  type?: unknown;
  status?: unknown;
}

/** An `{"error": …}` event inside a 200 stream: the client throws it without a status. */
export function isStreamedError(error: unknown): error is APIError {
  return (
    error instanceof APIError &&
    !(error instanceof APIConnectionError) &&
    !(error instanceof APIUserAbortError) &&
    error.status === undefined
  );
}

export function readStreamedError(error: APIError) {
  const body = (error.error ?? {}) as StreamedErrorBody;
  const message = typeof body.message === 'string' && body.message ? body.message : error.message;
  const status =
    typeof body.status === 'number'
      ? body.status
      : typeof body.code === 'number'
        ? body.code
        : undefined;
  const kind = [body.type, body.code].filter((v) => typeof v === 'string').join(' ');
  const retryable =
    (status !== undefined && isRetryableStatus(status)) ||
    /server_error|rate_limit|overloaded|unavailable/i.test(kind);
  const code = status ?? (typeof body.code === 'string' ? body.code : undefined);
  return { message, status, code, retryable };
}

/** A 404 about the model, as opposed to one about the path (a base URL without its prefix). */
export function isModelNotFound(error: APIError): boolean {
  const body = error.error as { code?: unknown; message?: unknown } | undefined;
  if (body?.code === 'model_not_found') return true;
  return typeof body?.message === 'string' && /model/i.test(body.message);
}

/** A body that broke while being read: the socket closed or reset after the headers. */
export function isBodyCut(error: unknown): boolean {
  // Errors before the headers come wrapped as the client's own; these are not.
  if (error instanceof APIError) return false;
  const cause = rootCause(error) as Error & { code?: string };
  const text = `${cause.code ?? ''} ${cause.message} ${(error as Error)?.message ?? ''}`;
  return /aborted|terminated|ECONNRESET|premature close|other side closed|UND_ERR_SOCKET/i.test(
    text,
  );
}

/** The innermost cause: fetch wraps the socket error (ECONNREFUSED…) in its own. */
export function rootCause(error: unknown): Error {
  type Chain = Error & { cause?: unknown };
  let current = error as Chain;
  // Not `instanceof Error`: fetch's errors may come from another realm.
  while (
    typeof current.cause === 'object' &&
    current.cause !== null &&
    'message' in current.cause
  ) {
    current = current.cause as Chain;
  }
  return current;
}

export function apiMessage(error: APIError): string {
  const body = error.error as { message?: string } | undefined;
  if (typeof body?.message === 'string') return body.message;
  const text = error.message.replace(/^\d{3}\s*/, '');
  // An HTML error page (Express's 404) says it in its <pre>; otherwise keep the tags out.
  const pre = /<pre>([\s\S]*?)<\/pre>/i.exec(text)?.[1];
  const plain = (pre ?? text)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}
