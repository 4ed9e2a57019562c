// Running prompts against a model: render, look in the cache, call, record. Every call that
// was attempted becomes an execution row, whether it succeeded, failed or was cancelled.
import { randomUUID } from 'node:crypto';
import type { Config } from '../core/config.js';
import { AppError } from '../core/errors.js';
import { type CallDetails, CancelledError, ModelCallError } from '../core/model-client/errors.js';
import { costOf } from '../core/model-client/pricing.js';
import type {
  ModelClient,
  ModelClientSettings,
  ModelResponse,
} from '../core/model-client/types.js';
import type { CacheRepository } from '../db/repositories/cache-repository.js';
import type {
  ExecutionData,
  ExecutionRepository,
} from '../db/repositories/execution-repository.js';
import {
  cacheKey,
  type ResolvedSettings,
  type RunFlags,
  requireApiKey,
  resolveSettings,
} from './model-settings.js';
import type { PromptScope, PromptService, RenderedPrompt } from './prompt-service.js';

export interface RunResult {
  executionId: string;
  output: string;
  model: string;
  status: 'success';
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  latencyMs: number;
  cached: boolean;
}

/** A rendered prompt with the settings of its call: what `--dry-run` shows. */
export interface PreparedCall {
  scope: PromptScope;
  promptVersionId: number;
  rendered: RenderedPrompt;
  settings: ResolvedSettings;
}

export interface ExecuteOptions {
  stream?: boolean;
  onToken?: (text: string) => void;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface BatchCase {
  line: number;
  variables?: Record<string, unknown>;
  /** Why the line could not be read, if it could not. */
  error?: string;
}

export type BatchResult =
  | ({ line: number; error: null } & RunResult)
  | {
      line: number;
      executionId: string | null;
      status: 'error' | 'cancelled';
      error: string;
      output: null;
    };

export interface RunServiceDeps {
  prompts: PromptService;
  executions: ExecutionRepository;
  cache: CacheRepository;
  config: Config;
  env: NodeJS.ProcessEnv;
  createClient?: (settings: ModelClientSettings & { keyName: string }) => Promise<ModelClient>;
}

async function defaultClient(settings: ModelClientSettings & { keyName: string }) {
  const { createModelClient } = await import('../core/model-client/client.js');
  return createModelClient(settings);
}

export class RunService {
  private readonly clients = new Map<string, Promise<ModelClient>>();

  constructor(private readonly deps: RunServiceDeps) {}

  async prepare(
    scope: PromptScope,
    name: string,
    variables: Record<string, unknown>,
    options: { version?: number; flags?: RunFlags } = {},
  ): Promise<PreparedCall> {
    const view = await this.deps.prompts.get(scope, name, options.version);
    const rendered = await this.deps.prompts.render(scope, name, variables, options.version);
    const settings = resolveSettings({
      flags: options.flags ?? {},
      prompt: { model: view.version.model, parameters: view.version.parameters },
      project: scope.project,
      config: this.deps.config,
      env: this.deps.env,
    });
    return { scope, promptVersionId: view.version.id, rendered, settings };
  }

  /** One call: from the cache when it can, else from the model; recorded either way. */
  async execute(call: PreparedCall, options: ExecuteOptions = {}): Promise<RunResult> {
    const { settings, rendered } = call;
    const key = cacheKey(settings, rendered.messages);
    const started = performance.now();
    if (settings.cacheRead) {
      const hit = await this.deps.cache.get(key);
      if (hit) {
        options.onToken?.(hit.response);
        const result = await this.record(call, {
          status: 'success',
          response: hit.response,
          finishReason: hit.finishReason,
          attempts: 0,
          inputTokens: hit.inputTokens,
          outputTokens: hit.outputTokens,
          costUsd: 0,
          latencyMs: Math.round(performance.now() - started),
          cacheHit: true,
        });
        await this.deps.cache.recordHit(key);
        return result;
      }
    }
    const apiKey = requireApiKey(settings);
    const client = await this.client(settings, apiKey);
    let response: ModelResponse;
    try {
      response = await client.complete(
        { model: settings.model, messages: rendered.messages, parameters: settings.parameters },
        options,
      );
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      const details =
        error instanceof ModelCallError || error instanceof CancelledError
          ? error.details
          : undefined;
      const executionId = await this.recordFailure(call, error, details, latencyMs);
      const recorded = { attempts: 1, partialText: '', ...details, executionId };
      if (error instanceof CancelledError) throw new CancelledError(recorded);
      if (!(error instanceof AppError)) throw error;
      const hint = `${error.hint ? `${error.hint}; ` : ''}see \`prompt-runner execution show ${executionId.slice(0, 8)}\``;
      throw new ModelCallError(error.message, recorded, hint);
    }
    const latencyMs = Math.round(performance.now() - started);
    const result = await this.record(call, {
      status: 'success',
      response: response.text,
      finishReason: response.finishReason,
      attempts: response.attempts,
      inputTokens: response.inputTokens,
      outputTokens: response.outputTokens,
      costUsd: costOf(
        settings.model,
        response.inputTokens,
        response.outputTokens,
        settings.pricing,
      ),
      latencyMs,
      cacheHit: false,
    });
    if (settings.cacheWrite) {
      await this.deps.cache.put({
        key,
        model: settings.model,
        response: response.text,
        finishReason: response.finishReason,
        inputTokens: response.inputTokens,
        outputTokens: response.outputTokens,
      });
    }
    return result;
  }

  /**
   * Runs every case with at most `concurrency` calls at once. Results reach `onResult` in
   * input order; a failing case does not stop the others.
   */
  async runBatch(
    cases: BatchCase[],
    prepare: (variables: Record<string, unknown>) => Promise<PreparedCall>,
    options: {
      concurrency: number;
      signal?: AbortSignal;
      onResult: (result: BatchResult) => void;
      onProgress?: (done: number, total: number) => void;
    },
  ): Promise<BatchResult[]> {
    const { default: pLimit } = await import('p-limit');
    const limit = pLimit(options.concurrency);
    const results: (BatchResult | undefined)[] = new Array(cases.length);
    let next = 0;
    let done = 0;
    const settle = (index: number, result: BatchResult) => {
      results[index] = result;
      options.onProgress?.(++done, cases.length);
      for (let ready = results[next]; ready; ready = results[next]) {
        options.onResult(ready);
        next++;
      }
    };
    await Promise.all(
      cases.map((item, index) =>
        limit(async () => {
          settle(index, await this.runCase(item, prepare, options.signal));
        }),
      ),
    );
    return results as BatchResult[];
  }

  private async runCase(
    item: BatchCase,
    prepare: (variables: Record<string, unknown>) => Promise<PreparedCall>,
    signal: AbortSignal | undefined,
  ): Promise<BatchResult> {
    const failed = (error: string, executionId: string | null = null, cancelled = false) => ({
      line: item.line,
      executionId,
      status: cancelled ? ('cancelled' as const) : ('error' as const),
      error,
      output: null,
    });
    if (item.error || !item.variables) return failed(item.error ?? 'no variables');
    if (signal?.aborted) return failed('cancelled before it started', null, true);
    try {
      const call = await prepare(item.variables);
      return { line: item.line, error: null, ...(await this.execute(call, { signal })) };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const recorded = error instanceof ModelCallError || error instanceof CancelledError;
      const id = recorded ? (error.details.executionId ?? null) : null;
      return failed(error.message, id, error instanceof CancelledError);
    }
  }

  private client(settings: ResolvedSettings, apiKey: string): Promise<ModelClient> {
    const id = `${settings.baseURL}\n${apiKey}\n${JSON.stringify(settings.client)}`;
    let client = this.clients.get(id);
    if (!client) {
      const create = this.deps.createClient ?? defaultClient;
      client = create({
        ...settings.client,
        baseURL: settings.baseURL,
        apiKey,
        keyName: settings.keyName,
      });
      this.clients.set(id, client);
    }
    return client;
  }

  private async recordFailure(
    call: PreparedCall,
    error: unknown,
    details: CallDetails | undefined,
    latencyMs: number,
  ): Promise<string> {
    const cancelled = error instanceof CancelledError;
    const result = await this.record(call, {
      status: cancelled ? 'cancelled' : 'error',
      response: details?.partialText || null,
      finishReason: null,
      attempts: details?.attempts ?? 1,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      latencyMs,
      cacheHit: false,
      error: cancelled ? 'cancelled by the user' : (error as Error).message,
    });
    return result.executionId;
  }

  private async record(
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
  ): Promise<RunResult> {
    const id = randomUUID();
    const { settings, rendered } = call;
    await this.deps.executions.create({
      id,
      projectId: call.scope.project?.id ?? null,
      promptVersionId: call.promptVersionId,
      model: settings.model,
      baseUrlHost: settings.baseUrlHost,
      parameters: { ...settings.parameters },
      system: rendered.system,
      messages: rendered.messages,
      variables: rendered.variables,
      error: outcome.error ?? null,
      ...outcome,
    });
    return {
      executionId: id,
      output: outcome.response ?? '',
      model: settings.model,
      status: 'success',
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      costUsd: outcome.costUsd,
      latencyMs: outcome.latencyMs ?? 0,
      cached: outcome.cacheHit,
    };
  }
}
