// Running prompts against a model: render, look in the cache, call, record. Every call that
// was attempted becomes an execution row, whether it succeeded, failed or was cancelled.
import type { Config } from '../core/config.js';
import {
  AppError,
  DatabaseError,
  reasonOf,
  UnrecordedAnswerError,
  ValidationError,
} from '../core/errors.js';
import { CancelledError, EXIT_CANCELLED, ModelCallError } from '../core/model-client/errors.js';
import { costOf } from '../core/model-client/pricing.js';
import type {
  ModelClient,
  ModelClientSettings,
  ModelResponse,
} from '../core/model-client/types.js';
import type { CachedAnswer, CacheRepository } from '../db/repositories/cache-repository.js';
import type { ExecutionRepository } from '../db/repositories/execution-repository.js';
import type { PromptParameters } from '../db/repositories/prompt-repository.js';
import { ConnectGuard, UnreachableError } from './connect-guard.js';
import { executionRecord } from './execution-record.js';
import { cacheKey, type ResolvedSettings, type RunFlags, requireApiKey } from './model-settings.js';
import type { PromptFileData } from './prompt-file.js';
import type { PromptDraft, PromptScope, PromptService } from './prompt-service.js';
import { compilePrompt } from './prompt-template.js';
import { RecordWriter } from './record-writer.js';
import { messagesPreparer, textCall } from './run-prepare.js';
import type {
  BatchCase,
  BatchResult,
  CallLinks,
  ExecuteOptions,
  PreparedCall,
  Preparer,
  RunResult,
} from './run-types.js';
import { failedCase, failedRun, failedRunOf } from './run-types.js';
import { type OutputSpec, runStructured, type StructuredResult } from './structured-run.js';

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
  private readonly clients = new WeakMap<ResolvedSettings, Promise<ModelClient>>();
  private writable: Promise<void> | undefined;

  constructor(private readonly deps: RunServiceDeps) {}

  async prepare(
    scope: PromptScope,
    name: string,
    variables: Record<string, unknown>,
    options: { version?: number; flags?: RunFlags } = {},
  ): Promise<PreparedCall> {
    return (await this.preparer(scope, name, options))(variables);
  }

  /** Loads the prompt and its settings once; the function renders a call per set of variables. */
  async preparer(
    scope: PromptScope,
    name: string,
    options: { version?: number; flags?: RunFlags; links?: CallLinks } = {},
  ): Promise<Preparer> {
    const renderer = await this.deps.prompts.renderer(scope, name, options.version);
    const { version } = renderer.view;
    return messagesPreparer(this.deps, scope, renderer.render, version, options);
  }

  /** A preparer for a draft of a stored version: its text replaced, the rest as stored. */
  async draftPreparer(
    scope: PromptScope,
    name: string,
    version: number,
    draft: PromptDraft,
    options: { flags?: RunFlags; links?: CallLinks } = {},
  ): Promise<Preparer> {
    const renderer = await this.deps.prompts.renderer(scope, name, version, draft);
    const stored = renderer.view.version;
    return messagesPreparer(this.deps, scope, renderer.render, { ...stored, id: null }, options);
  }

  /** A preparer for a prompt that is not stored (a `.prompt` file an eval names). */
  async filePreparer(
    scope: PromptScope,
    file: PromptFileData,
    path: string,
    options: { flags?: RunFlags; links?: CallLinks } = {},
  ): Promise<Preparer> {
    const render = await compilePrompt({ ...file, name: path, system: file.system ?? null });
    const version = { ...file, id: null, model: file.model ?? null };
    return messagesPreparer(this.deps, scope, render, version, options);
  }

  /** A writer that groups records, for callers that make many calls (flush it at the end). */
  groupedWriter(): RecordWriter {
    return new RecordWriter(this.deps, true);
  }

  /** A call of text rendered elsewhere (a workflow's inline template, a phase template). */
  prepareText(
    scope: PromptScope,
    text: { system: string | null; user: string; variables: Record<string, unknown> },
    prompt: { model: string | null; parameters: PromptParameters; output?: OutputSpec },
    options: { flags?: RunFlags; links?: CallLinks } = {},
  ): PreparedCall {
    return textCall(this.deps, scope, text, prompt, options);
  }

  /**
   * One call: from the cache when it can, else from the model; recorded either way. A call
   * that must answer JSON is checked, and asked again once when the answer does not follow
   * its schema.
   */
  async execute(call: PreparedCall, options: ExecuteOptions = {}): Promise<StructuredResult> {
    const { output } = call;
    if (!output) return this.executeOne(call, options);
    return runStructured({ ...call, output }, (next, cacheable) =>
      this.executeOne(next, { ...options, cacheable }),
    );
  }

  private async executeOne(call: PreparedCall, options: ExecuteOptions): Promise<RunResult> {
    const writer = options.writer ?? new RecordWriter(this.deps, false);
    const key = cacheKey(call.settings, call.rendered.messages);
    const hit = call.settings.cacheRead ? await this.deps.cache.get(key) : null;
    return this.executeWith(call, key, hit, writer, options);
  }

  /**
   * Runs every case with at most `concurrency` calls at once. Results reach `onResult` in
   * input order; a failing case does not stop the others. Cached answers are looked up for
   * all cases at once, and records are written in groups.
   */
  async runBatch(
    cases: BatchCase[],
    prepare: (variables: Record<string, unknown>) => PreparedCall,
    options: {
      concurrency: number;
      signal?: AbortSignal;
      onResult: (result: BatchResult) => void;
      onProgress?: (done: number, total: number) => void;
    },
  ): Promise<BatchResult[]> {
    const { default: pLimit } = await import('p-limit');
    const writer = new RecordWriter(this.deps, true);
    const prepared = cases.map((item): BatchResult | { call: PreparedCall; key: string } => {
      if (item.error || !item.variables) {
        return failedCase(item.line, new ValidationError(item.error ?? 'no variables'));
      }
      try {
        const call = prepare(item.variables);
        return { call, key: cacheKey(call.settings, call.rendered.messages) };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return failedCase(item.line, error);
      }
    });
    const keys = prepared.flatMap((p) => ('key' in p && p.call.settings.cacheRead ? [p.key] : []));
    const cached = keys.length > 0 ? await this.deps.cache.getMany(keys) : new Map();
    // A batch that must call the model is refused without its key, as a single run is.
    const uncached = prepared.find((p) => 'key' in p && !cached.has(p.key));
    if (uncached && 'call' in uncached) requireApiKey(uncached.call.settings);

    const limit = pLimit(options.concurrency);
    const guard = new ConnectGuard(options.concurrency);
    const answered = new Map<string, Promise<CachedAnswer | null>>();
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
    const runOne = async (item: (typeof prepared)[number], index: number) => {
      if (!('key' in item)) return settle(index, item);
      const line = cases[index]?.line ?? index + 1;
      const model = item.call.settings.model;
      if (options.signal?.aborted) {
        return settle(
          index,
          failedCase(
            line,
            new AppError('cancelled before it started', {
              code: 'CANCELLED',
              exitCode: EXIT_CANCELLED,
            }),
            {
              model,
              cancelled: true,
            },
          ),
        );
      }
      // Lines that repeat a call of this batch wait for its answer and take it as a hit.
      const { cacheRead, cacheWrite } = item.call.settings;
      let share: ((answer: CachedAnswer | null) => void) | undefined;
      try {
        let hit = cached.get(item.key) ?? null;
        const structured = item.call.output !== undefined;
        const pending = hit || !cacheRead || structured ? undefined : answered.get(item.key);
        // Claimed before any wait, so that a line starting meanwhile waits for this one.
        if (!hit && !pending && cacheRead && cacheWrite && !structured) {
          answered.set(item.key, new Promise((resolve) => (share = resolve)));
        }
        if (pending) hit = await pending;
        // A structured call checks its answer (and may ask again): it goes the single way.
        const execute = structured
          ? () => this.execute(item.call, { writer, signal: options.signal })
          : () =>
              this.executeWith(item.call, item.key, hit, writer, { signal: options.signal }, share);
        const result = hit && !structured ? await execute() : await guard.run(execute);
        settle(index, { line, error: null, ...result });
      } catch (error) {
        if (share) {
          // Lines waiting for this call make their own.
          answered.delete(item.key);
          share(null);
        }
        if (!(error instanceof AppError)) throw error;
        settle(index, {
          line,
          ...(failedRunOf(error, model) ??
            failedRun(error, { model, notRun: error instanceof UnreachableError })),
        });
      }
    };
    try {
      await Promise.all(prepared.map((item, index) => limit(() => runOne(item, index))));
    } finally {
      await writer.flush();
    }
    // Every line is reported (the lines not run with the reason); the run fails with it.
    if (guard.error) throw guard.error;
    return results as BatchResult[];
  }

  private async executeWith(
    call: PreparedCall,
    key: string,
    hit: CachedAnswer | null,
    writer: RecordWriter,
    options: ExecuteOptions,
    onAnswer?: (answer: CachedAnswer) => void,
  ): Promise<RunResult> {
    const { settings, rendered } = call;
    const started = performance.now();
    if (hit) {
      options.onToken?.(hit.response);
      const { result, execution } = executionRecord(call, {
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
      await writer.add({ execution, hit: key });
      return result;
    }
    const apiKey = requireApiKey(settings);
    await this.checkWritable();
    const client = await this.client(settings, apiKey);
    // A spending limit takes the call's worst case first, or stops it before it starts.
    const reservation = await options.budget?.reserve(call);
    let response: ModelResponse;
    try {
      response = await client.complete(
        { model: settings.model, messages: rendered.messages, parameters: settings.parameters },
        options,
      );
    } catch (error) {
      // What a failed call cost is unknown: its worst case stays spent. A call stopped by
      // Ctrl-C did not fail.
      if (error instanceof CancelledError) reservation?.settle(null);
      else reservation?.fail((error as Error).message);
      const details =
        error instanceof ModelCallError || error instanceof CancelledError
          ? error.details
          : undefined;
      const cancelled = error instanceof CancelledError;
      const { execution } = executionRecord(call, {
        status: cancelled ? 'cancelled' : 'error',
        response: details?.partialText || null,
        finishReason: null,
        attempts: details?.attempts ?? 1,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        latencyMs: Math.round(performance.now() - started),
        cacheHit: false,
        error: cancelled ? 'cancelled by the user' : (error as Error).message,
      });
      await writer.add({ execution });
      const recorded = { attempts: 1, partialText: '', ...details, executionId: execution.id };
      if (cancelled) throw new CancelledError(recorded);
      if (!(error instanceof AppError)) throw error;
      const show = `see \`prompt-runner execution show ${execution.id.slice(0, 8)}\``;
      throw new ModelCallError(
        error.message,
        recorded,
        error.hint ? `${error.hint}; ${show}` : show,
      );
    }
    const { result, execution } = executionRecord(call, {
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
      latencyMs: Math.round(performance.now() - started),
      cacheHit: false,
    });
    reservation?.settle(result.costUsd);
    const keep = settings.cacheWrite && (await options.cacheable?.(response.text)) !== false;
    const answer = keep
      ? {
          key,
          model: settings.model,
          response: execution.response ?? '',
          finishReason: response.finishReason,
          inputTokens: response.inputTokens,
          outputTokens: response.outputTokens,
        }
      : undefined;
    try {
      await writer.add({ execution, answer });
    } catch (error) {
      throw new UnrecordedAnswerError(result, error);
    }
    if (answer) onAnswer?.(answer);
    return result;
  }

  /** A paid call is made only when its answer can be recorded: checked once per process. */
  private checkWritable(): Promise<void> {
    this.writable ??= this.deps.executions.checkWritable().catch((error: unknown) => {
      throw new DatabaseError(
        `The database cannot be written, so no model was called: ${reasonOf(error)}`,
        { hint: 'check that the database file and its folder can be written' },
      );
    });
    return this.writable;
  }

  /** One client per settings: the calls of a batch share its connections. */
  private client(settings: ResolvedSettings, apiKey: string): Promise<ModelClient> {
    let client = this.clients.get(settings);
    if (!client) {
      const create = this.deps.createClient ?? defaultClient;
      client = create({
        ...settings.client,
        baseURL: settings.baseURL,
        apiKey,
        keyName: settings.keyName,
      });
      this.clients.set(settings, client);
    }
    return client;
  }
}
