// The execution row of a call and the result its caller sees, built in one place so that
// nothing recorded, cached or printed holds the API key.
import { randomUUID } from 'node:crypto';
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
  execution.messages = redactSecretIn(execution.messages, key);
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
