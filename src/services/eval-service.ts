// Evals: the cases of an eval file run against every variant (each prompt × each model), each
// answer checked by its assertions, every cell recorded with the execution behind it. A run
// passes when every variant's pass rate reaches the file's threshold.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { AppError, NotFoundError, ValidationError } from '../core/errors.js';
import { cannotWriteReason } from '../core/fs.js';
import type {
  EvalRepository,
  EvalResultData,
  EvalRunRecord,
} from '../db/repositories/eval-repository.js';
import { type AnswerContext, evaluate } from '../evals/assertions.js';
import { type EvalCase, loadCases } from '../evals/cases.js';
import { parseEvalFile } from '../evals/eval-file.js';
import type { Grade } from '../evals/graders.js';
import { parseRunDocument, type RunDocument, runDocument } from '../evals/report.js';
import {
  type EvalSummary,
  SummaryBuilder,
  summarize,
  type VariantConfig,
} from '../evals/summary.js';
import { buildGrader, buildVariants, type Variant } from './eval-variants.js';
import type { PromptScope, PromptService } from './prompt-service.js';
import type { RecordWriter } from './record-writer.js';
import type { RunService } from './run-service.js';

export interface EvalServiceDeps {
  evals: EvalRepository;
  prompts: PromptService;
  runs: RunService;
  cwd: string;
  env: NodeJS.ProcessEnv;
  importModule: (url: string) => Promise<unknown>;
}

export interface EvalRunOptions {
  concurrency: number;
  repeat?: number;
  /** Only the cases whose id or description matches. */
  filter?: RegExp;
  noCache?: boolean;
  signal?: AbortSignal;
  onStart?: (cells: number) => void | Promise<void>;
  onCell?: (progress: { done: number; passed: number; costUsd: number }) => void;
}

export interface EvalRunResult {
  run: EvalRunRecord;
  summary: EvalSummary;
}

interface CellTokens {
  inputTokens: number | null;
  outputTokens: number | null;
}

/** Results are written in groups of this many cells. */
const WRITE_CELLS = 100;

export class EvalService {
  constructor(private readonly deps: EvalServiceDeps) {}

  async run(scope: PromptScope, file: string, options: EvalRunOptions): Promise<EvalRunResult> {
    const path = resolve(this.deps.cwd, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ValidationError(`Cannot read ${file}: ${cannotWriteReason(error)}`);
    }
    const spec = parseEvalFile(text, file);
    const baseDir = dirname(path);
    const cases = (await loadCases(spec, baseDir)).filter(
      (item) =>
        !options.filter ||
        options.filter.test(item.id) ||
        options.filter.test(item.description ?? ''),
    );
    if (cases.length === 0) {
      throw new ValidationError('No case to run', {
        hint: options.filter ? 'no case id or description matches --filter' : undefined,
      });
    }
    const variants = await buildVariants(spec, scope, baseDir, this.deps, {
      noCache: options.noCache,
    });
    const repeat = options.repeat ?? spec.repeat ?? 1;
    const threshold = spec.threshold ?? 1;
    const configs: VariantConfig[] = variants.map(({ config }) => config);
    const id = randomUUID();
    await this.deps.evals.createRun({
      id,
      projectId: scope.project?.id ?? null,
      name: spec.name ?? basename(file, extname(file)),
      file,
      definition: text,
      config: { variants: configs, threshold, repeat, cases: cases.length },
      pid: process.pid,
    });

    const total = cases.length * variants.length * repeat;
    await options.onStart?.(total);
    // Cells are made as workers take them, and only their sums are kept: memory stays flat.
    function* cells() {
      for (const item of cases) {
        for (const [index, variant] of variants.entries()) {
          for (let r = 0; r < repeat; r++) yield { item, variant, index, repeat: r };
        }
      }
    }
    const queue = cells();
    const builder = new SummaryBuilder(configs, threshold);
    const writer = this.deps.runs.groupedWriter();
    const grade = spec.grader
      ? buildGrader(spec.grader, scope, this.deps)(writer, options.signal)
      : undefined;
    let pending: EvalResultData[] = [];
    let writing = Promise.resolve();
    const write = (all = false) => {
      if (pending.length === 0 || (!all && pending.length < WRITE_CELLS)) return writing;
      const batch = pending;
      pending = [];
      // Results name their executions: those are written first.
      writing = writing.then(async () => {
        await writer.flush();
        await this.deps.evals.addResults(id, batch);
      });
      return writing;
    };
    const progress = { done: 0, passed: 0, costUsd: 0 };
    const work = async () => {
      for (let next = queue.next(); !next.done; next = queue.next()) {
        if (options.signal?.aborted) return;
        const { result, tokens } = await this.cell(
          next.value,
          { baseDir, writer, grade },
          options.signal,
        );
        if (options.signal?.aborted && result.error?.startsWith('cancelled')) return;
        pending.push(result);
        builder.add({ ...result, ...tokens });
        progress.done++;
        if (result.pass) progress.passed++;
        progress.costUsd += result.costUsd ?? 0;
        options.onCell?.({ ...progress });
        await write();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, work));
      await write(true);
    } catch (error) {
      await this.deps.evals.finishRun(id, 'failed', (error as Error).message).catch(() => {});
      throw error;
    }
    const summary = builder.finish();
    const status = options.signal?.aborted ? 'cancelled' : summary.passed ? 'passed' : 'failed';
    await this.deps.evals.finishRun(id, status);
    return { run: await this.get(id), summary };
  }

  /** One cell: the call, then its assertions; a failed call is a failed cell. */
  private async cell(
    cell: { item: EvalCase; variant: Variant; index: number; repeat: number },
    run: { baseDir: string; writer: RecordWriter; grade?: Grade },
    signal: AbortSignal | undefined,
  ): Promise<{ result: EvalResultData; tokens: CellTokens }> {
    const { item, variant, index, repeat } = cell;
    const none = { inputTokens: null, outputTokens: null };
    const base = { caseId: item.id, variant: index, repeat };
    let call: ReturnType<Variant['prepare']>;
    try {
      call = variant.prepare(item.vars, repeat);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { result: failed(base, error.message, null), tokens: none };
    }
    let answer: Awaited<ReturnType<RunService['execute']>>;
    try {
      answer = await this.deps.runs.execute(call, { writer: run.writer, signal });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const details = (error as { details?: { executionId?: string } }).details;
      const reason = signal?.aborted ? `cancelled: ${error.message}` : error.message;
      return { result: failed(base, reason, details?.executionId ?? null), tokens: none };
    }
    const context: AnswerContext = {
      output: answer.output,
      vars: item.vars,
      latencyMs: answer.latencyMs,
      costUsd: answer.costUsd,
      baseDir: run.baseDir,
      importModule: this.deps.importModule,
      grade: run.grade,
      question: String(call.rendered.messages.at(-1)?.content ?? ''),
    };
    const outcomes = [];
    for (const spec of item.assert) outcomes.push(await evaluate(spec, context));
    const weight = outcomes.reduce((total, o) => total + o.weight, 0);
    const score =
      weight === 0 ? 1 : outcomes.reduce((total, o) => total + o.score * o.weight, 0) / weight;
    return {
      result: {
        ...base,
        executionId: answer.executionId,
        output: answer.output,
        pass: outcomes.every((o) => o.pass),
        score,
        assertions: outcomes,
        error: null,
        latencyMs: answer.latencyMs,
        costUsd: answer.costUsd,
      },
      tokens: { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens },
    };
  }

  async list(filter: { projectId?: number; name?: string; limit: number }) {
    return this.deps.evals.list(filter);
  }

  /** A run by its id or a unique prefix of it (at least 4 characters). */
  async get(prefix: string): Promise<EvalRunRecord> {
    const id = prefix.trim().toLowerCase();
    if (id.length < 4) throw new ValidationError('Give at least 4 characters of the run id');
    const runs = await this.deps.evals.byPrefix(id);
    if (runs.length === 0) {
      throw new NotFoundError(`No eval run with id ${prefix}`, { hint: 'see `eval list`' });
    }
    if (runs.length > 1) {
      throw new ValidationError(`Eval run id ${prefix} is ambiguous`, {
        hint: runs.map((r) => r.id.slice(0, 12)).join(', '),
      });
    }
    return runs[0] as EvalRunRecord;
  }

  /** A run with its summary and every cell. */
  async show(prefix: string) {
    const run = await this.get(prefix);
    const results = await this.deps.evals.results(run.id);
    const config = run.config as { variants: VariantConfig[]; threshold: number };
    return { run, results, summary: summarize(config.variants, results, config.threshold) };
  }

  /** A run as the document `-o run.json` writes (and baselines and compare read). */
  async document(prefix: string): Promise<RunDocument> {
    const { run, results, summary } = await this.show(prefix);
    return runDocument(run, summary, results);
  }

  /**
   * The run to compare with: `latest` (the latest other finished run of the eval `name`), a
   * `.json` file an earlier `eval run -o` wrote, or a run id.
   */
  async baseline(spec: string, name: string, exclude: string): Promise<RunDocument> {
    if (spec === 'latest') {
      const runs = await this.deps.evals.list({ name, limit: 20 });
      const latest = runs.find((r) => r.id !== exclude && r.status !== 'running');
      if (!latest) {
        throw new NotFoundError(`No earlier run of the eval "${name}" to compare with`, {
          hint: 'run it once on the base branch, or pass --baseline <file.json>',
        });
      }
      return this.document(latest.id);
    }
    if (spec.endsWith('.json')) {
      const path = resolve(this.deps.cwd, spec);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new ValidationError(`Cannot read the baseline ${spec}: ${cannotWriteReason(error)}`);
      }
      return parseRunDocument(text, spec);
    }
    return this.document(spec);
  }

  async delete(prefix: string): Promise<EvalRunRecord> {
    const run = await this.get(prefix);
    await this.deps.evals.delete(run.id);
    return run;
  }
}

function failed(
  base: Pick<EvalResultData, 'caseId' | 'variant' | 'repeat'>,
  reason: string,
  executionId: string | null,
): EvalResultData {
  return {
    ...base,
    executionId,
    output: null,
    pass: false,
    score: 0,
    assertions: [],
    error: reason,
    latencyMs: null,
    costUsd: null,
  };
}
