// The execution row of a call and the result its caller sees, built in one place so that
// nothing recorded, cached or printed holds the API key.
import { createHash, randomUUID } from 'node:crypto';
import type { ChatMessage, ContentPart } from '../core/model-client/types.js';
import { redactSecret, redactSecretIn } from '../core/secrets.js';
import type { ExecutionData } from '../db/repositories/execution-repository.js';
import type { PreparedCall, RunResult } from './run-types.js';

/** The execution row of a call and the result the caller sees. */
export function executionRecord(
  call: PreparedCall,
  outcome: Pick<
    ExecutionData,
    | 'status'
    | 'response'
    | 'finishReason'
    | 'attempts'
    | 'inputTokens'
    | 'outputTokens'
    | 'costUsd'
    | 'latencyMs'
    | 'cacheHit'
  > & { error?: string },
): { result: RunResult; execution: ExecutionData } {
  const id = randomUUID();
  const { settings, rendered } = call;
  const execution: ExecutionData = {
    id,
    createdAt: new Date(),
    projectId: call.scope.project?.id ?? null,
    promptVersionId: call.promptVersionId,
    ...call.links,
    model: settings.model,
    baseUrlHost: settings.baseUrlHost,
    parameters: { ...settings.parameters },
    system: rendered.system,
    messages: rendered.messages,
    variables: rendered.variables,
    error: outcome.error ?? null,
    ...outcome,
  };
  // Nothing recorded, cached or printed holds the API key, wherever it came from.
  const key = settings.apiKey;
  execution.response = execution.response && redactSecret(execution.response, key);
  execution.error = execution.error && redactSecret(execution.error, key);
  execution.system = execution.system && redactSecret(execution.system, key);
  execution.messages = redactSecretIn(recordedMessages(execution.messages), key);
  execution.variables = redactSecretIn(execution.variables, key);
  const result: RunResult = {
    executionId: id,
    output: execution.response ?? '',
    model: settings.model,
    status: 'success',
    inputTokens: outcome.inputTokens,
    outputTokens: outcome.outputTokens,
    costUsd: outcome.costUsd,
    latencyMs: outcome.latencyMs ?? 0,
    cached: outcome.cacheHit,
  };
  return { result, execution };
}

/**
 * The messages as recorded: media sent as data URLs are kept as their type, size and hash
 * (`data:image/png;sha256=…;bytes=…`), so a history of image calls does not hold the images.
 */
function recordedMessages(messages: ChatMessage[]): ChatMessage[] {
  if (messages.every((message) => typeof message.content === 'string')) return messages;
  return messages.map((message) =>
    typeof message.content === 'string'
      ? message
      : { ...message, content: message.content.map(recordedPart) },
  );
}

function recordedPart(part: ContentPart): ContentPart {
  const digest = (url: string) => {
    const comma = url.indexOf(',');
    const data = url.slice(comma + 1);
    const hash = createHash('sha256').update(data).digest('hex');
    return `${url.slice(0, comma).replace(/;base64$/, '')};sha256=${hash};chars=${data.length}`;
  };
  if (part.type === 'image_url' && part.image_url.url.startsWith('data:')) {
    return { type: 'image_url', image_url: { url: digest(part.image_url.url) } };
  }
  if (part.type === 'file') {
    return { type: 'file', file: { ...part.file, file_data: digest(part.file.file_data) } };
  }
  if (part.type === 'input_audio') {
    const url = digest(`data:audio/${part.input_audio.format};base64,${part.input_audio.data}`);
    return { type: 'input_audio', input_audio: { ...part.input_audio, data: url } };
  }
  return part;
}
