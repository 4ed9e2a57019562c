// Evals: the cases of an eval file run against every variant (each prompt × each model), each
// answer checked by its assertions, every cell recorded with the execution behind it. A run
// passes when every variant's pass rate reaches the file's threshold.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { cannotReadReason } from '../core/fs.js';
import type {
  EvalRepository,
  EvalResultData,
  EvalResultRecord,
  EvalRunRecord,
} from '../db/repositories/eval-repository.js';
import { isAcrossVariants } from '../evals/assertions.js';
import { type EvalCase, loadCases } from '../evals/cases.js';
import { type EvalFile, parseEvalFile } from '../evals/eval-file.js';
import { parseRunDocument, type RunDocument, runDocument } from '../evals/report.js';
import {
  type EvalSummary,
  SummaryBuilder,
  summarize,
  type VariantConfig,
} from '../evals/summary.js';
import { alive } from '../workflows/run-helpers.js';
import { type CellTokens, runCell } from './eval-cell.js';
import { selectBest } from './eval-select-best.js';
import {
  buildGrader,
  buildVariants,
  type DraftSource,
  type EvalSource,
  type Variant,
} from './eval-variants.js';
import { byIdPrefix } from './id-prefix.js';
import { parsePromptRef } from './prompt-ref.js';
import type { PromptScope, PromptService } from './prompt-service.js';
import type { RunService } from './run-service.js';
import type { CallBudget, CallLinks } from './run-types.js';

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
  /** A spending limit every model call goes through. */
  budget?: CallBudget;
}

export interface EvalRunResult {
  run: EvalRunRecord;
  summary: EvalSummary;
}

/** What a run records when it starts: enough to resume it. */
interface RunConfig {
  variants: VariantConfig[];
  threshold: number;
  repeat: number;
  cases: number;
  /** The eval file's folder: its dataset and `.prompt` files are found from it. */
  baseDir: string;
  /** The folder the files it names must be in. */
  root: string;
  project: string | null;
  filter: string | null;
  noCache: boolean;
}

const cellKey = (caseId: string, variant: number, repeat: number) =>
  `${variant}\u0000${repeat}\u0000${caseId}`;

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
      throw new ValidationError(`Cannot read ${file}: ${cannotReadReason(error)}`);
    }
    const spec = parseEvalFile(text, file);
    const baseDir = dirname(path);
    // Files the eval names are read only from inside this folder (evals/paths.ts).
    const root = scope.project?.rootPath ?? this.deps.cwd;
    const cases = (await loadCases(spec, baseDir, root)).filter(
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
    const variants = await buildVariants(spec, scope, { baseDir, root }, this.deps, {
      noCache: options.noCache,
    });
    const source = { spec, file, definition: text, scope, dirs: { baseDir, root } };
    return this.runCases(source, cases, variants, options);
  }

  /** A stored version or a draft of it on some cases: an eval run naming an optimization. */
  async measure(
    source: EvalSource,
    cases: EvalCase[],
    draft: DraftSource,
    options: Omit<EvalRunOptions, 'repeat' | 'filter'> & { optimizationId: string },
  ): Promise<EvalRunResult & { results: EvalResultRecord[] }> {
    const links = { optimizationId: options.optimizationId };
    const { scope, dirs, spec } = source;
    const variantOptions = { noCache: options.noCache, links, draft };
    const variants = await buildVariants(spec, scope, dirs, this.deps, variantOptions);
    const measured = await this.runCases(source, cases, variants, options, links);
    return { ...measured, results: await this.deps.evals.results(measured.run.id) };
  }

  private async runCases(
    source: EvalSource,
    cases: EvalCase[],
    variants: Variant[],
    options: EvalRunOptions & { optimizationId?: string },
    links?: CallLinks,
  ): Promise<EvalRunResult> {
    const { spec, file, scope } = source;
    const repeat = options.repeat ?? spec.repeat ?? 1;
    const threshold = spec.threshold ?? 1;
    const configs: VariantConfig[] = variants.map(({ config }) => config);
    const id = randomUUID();
    const config: RunConfig = {
      variants: configs,
      threshold,
      repeat,
      cases: cases.length,
      ...source.dirs,
      project: scope.project?.name ?? null,
      filter: options.filter?.source ?? null,
      noCache: Boolean(options.noCache),
    };
    await this.deps.evals.createRun({
      id,
      projectId: scope.project?.id ?? null,
      name: spec.name ?? basename(file, extname(file)),
      file,
      definition: source.definition,
      config: { ...config },
      pid: process.pid,
      optimizationId: options.optimizationId ?? null,
    });
    const plan = { id, spec, scope, config, cases, variants, done: new Set<string>(), links };
    return this.execute(plan, new SummaryBuilder(configs, threshold), options);
  }

  /**
   * Runs the cells of a stopped run that have no result yet: the same cases, variants (the
   * prompt versions recorded when it started) and repeats; finished cells are not run again.
   */
  async resume(
    prefix: string,
    options: Omit<EvalRunOptions, 'repeat' | 'filter' | 'noCache'>,
  ): Promise<EvalRunResult> {
    const run = await this.get(prefix);
    if (run.optimizationId) {
      throw new ConflictError(
        `Eval run ${run.id.slice(0, 8)} measured a prompt for optimization ${run.optimizationId.slice(0, 8)}`,
        { hint: 'measurements of an optimization are not resumed: run `optimize run` again' },
      );
    }
    if (run.status !== 'cancelled' && !(run.status === 'running' && !alive(run.pid))) {
      throw new ConflictError(
        `Eval run ${run.id.slice(0, 8)} is ${run.status === 'running' ? 'still running' : 'complete'}`,
        { hint: 'only a run stopped before its end can be resumed' },
      );
    }
    const config = run.config as unknown as RunConfig;
    const spec = parseEvalFile(run.definition, run.file ?? run.name);
    const filter = config.filter === null ? undefined : new RegExp(config.filter);
    const cases = (await loadCases(spec, config.baseDir, config.root)).filter(
      (item) => !filter || filter.test(item.id) || filter.test(item.description ?? ''),
    );
    const scope = await this.deps.prompts.scope(config.project);
    // Stored prompts at the versions the run started with.
    const pinned = spec.prompts.map((prompt) => {
      const variant = config.variants.find((v) => v.prompt === prompt && v.version !== null);
      return variant ? `${parsePromptRef(variant.prompt).name}@${variant.version}` : prompt;
    });
    const variants = await buildVariants(
      { ...spec, prompts: pinned },
      scope,
      { baseDir: config.baseDir, root: config.root },
      this.deps,
      {
        noCache: config.noCache,
      },
    );
    const results = await this.deps.evals.results(run.id);
    const builder = new SummaryBuilder(config.variants, config.threshold);
    for (const result of results) builder.add(result);
    const done = new Set(results.map((r) => cellKey(r.caseId, r.variant, r.repeat)));
    await this.deps.evals.restartRun(run.id, process.pid);
    const plan = { id: run.id, spec, scope, config, cases, variants, done };
    return this.execute(plan, builder, options);
  }

  /** Runs every cell of `plan` not yet done, `concurrency` at a time, and ends the run. */
  private async execute(
    plan: {
      id: string;
      spec: EvalFile;
      scope: PromptScope;
      config: RunConfig;
      cases: EvalCase[];
      variants: Variant[];
      done: Set<string>;
      links?: CallLinks;
    },
    builder: SummaryBuilder,
    options: Omit<EvalRunOptions, 'repeat' | 'filter' | 'noCache'>,
  ): Promise<EvalRunResult> {
    const { id, spec, scope, config, cases, variants, done } = plan;
    const { baseDir, root, repeat } = config;
    const total = cases.length * variants.length * repeat - done.size;
    await options.onStart?.(total);
    // Cells are made as workers take them, and only their sums are kept: memory stays flat.
    function* cells() {
      for (const item of cases) {
        for (const [index, variant] of variants.entries()) {
          for (let r = 0; r < repeat; r++) {
            if (!done.has(cellKey(item.id, index, r))) yield { item, variant, index, repeat: r };
          }
        }
      }
    }
    const queue = cells();
    const writer = this.deps.runs.groupedWriter();
    const { signal, budget } = options;
    const grade = spec.grader
      ? buildGrader(spec.grader, scope, this.deps, plan.links)(writer, signal, budget)
      : undefined;
    let pending: EvalResultData[] = [];
    const position = new Map(cases.map((item, index) => [item.id, index]));
    let writing = Promise.resolve();
    const write = (all = false) => {
      if (pending.length === 0 || (!all && pending.length < WRITE_CELLS)) return writing;
      // In the file's order (case, variant, repeat), whatever order the cells finished in.
      const batch = pending.sort(
        (x, y) =>
          (position.get(x.caseId) ?? 0) - (position.get(y.caseId) ?? 0) ||
          x.variant - y.variant ||
          x.repeat - y.repeat,
      );
      pending = [];
      // Results name their executions: those are written first.
      writing = writing.then(async () => {
        await writer.flush();
        await this.deps.evals.addResults(id, batch);
      });
      return writing;
    };
    const progress = { done: 0, passed: 0, costUsd: 0 };
    const record = async (result: EvalResultData, tokens: CellTokens) => {
      pending.push(result);
      builder.add({ ...result, ...tokens });
      progress.done++;
      if (result.pass) progress.passed++;
      progress.costUsd += result.costUsd ?? 0;
      options.onCell?.({ ...progress });
      await write();
    };
    // The cells of a case judged across its variants (select-best) wait for one another.
    const labels = config.variants.map((v) => v.label);
    const groups = new Map<string, { cells: EvalResultData[]; tokens: CellTokens[] }>();
    const work = async () => {
      for (let next = queue.next(); !next.done; next = queue.next()) {
        // Ctrl-C, a spending limit reached or a failed call: no new cell starts; those under
        // way finish.
        if (signal?.aborted || budget?.stopped) return;
        const { item, repeat: r } = next.value;
        const { result, tokens } = await runCell(
          this.deps,
          next.value,
          { baseDir, root, writer, grade, budget },
          signal,
        );
        if (options.signal?.aborted && result.error?.startsWith('cancelled')) return;
        if (!item.assert.some(isAcrossVariants)) {
          await record(result, tokens);
          continue;
        }
        const key = `${r}\u0000${item.id}`;
        const group = groups.get(key) ?? { cells: [], tokens: [] };
        groups.set(key, group);
        group.cells.push(result);
        group.tokens.push(tokens);
        const expected = variants.filter((_, index) => !done.has(cellKey(item.id, index, r)));
        if (group.cells.length < expected.length) continue;
        groups.delete(key);
        await selectBest(item, group.cells, labels, grade);
        for (const [index, cell] of group.cells.entries()) {
          await record(cell, group.tokens[index] as CellTokens);
        }
      }
    };
    try {
      await Promise.all(
        Array.from({ length: Math.max(1, Math.min(options.concurrency, total)) }, work),
      );
      await write(true);
    } catch (error) {
      await this.deps.evals.finishRun(id, 'failed', (error as Error).message).catch(() => {});
      throw error;
    }
    const summary = builder.finish();
    const stopped = signal?.aborted || budget?.stopped;
    const status = stopped ? 'cancelled' : summary.passed ? 'passed' : 'failed';
    await this.deps.evals.finishRun(id, status);
    return { run: await this.get(id), summary };
  }

  async list(filter: { projectId?: number; name?: string; limit: number }) {
    return this.deps.evals.list(filter);
  }

  /** A run by its id or a unique prefix of it (at least 4 characters). */
  get(prefix: string): Promise<EvalRunRecord> {
    const what = { name: 'eval run', list: 'eval list' };
    return byIdPrefix(prefix, what, (id) => this.deps.evals.byPrefix(id));
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
        throw new ValidationError(`Cannot read the baseline ${spec}: ${cannotReadReason(error)}`);
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
