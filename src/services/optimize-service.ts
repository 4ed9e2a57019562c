// Optimization: a model rewrites a stored prompt from the training cases it fails, each
// rewrite is measured on them, and the last one kept is judged on cases it was never shown.
// It is saved as a new version only when it beats the starting version there by the margin
// asked and a paired sign test says the win is unlikely to be chance. Every call names the
// optimization; every measurement is an eval run of its own.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { AppError, errorJson, ValidationError } from '../core/errors.js';
import { cannotReadReason } from '../core/fs.js';
import { EXIT_CANCELLED } from '../core/model-client/errors.js';
import type { ModelPrice } from '../core/model-client/pricing.js';
import type {
  OptimizationRecord,
  OptimizationRepository,
  OptimizationStatus,
} from '../db/repositories/optimization-repository.js';
import { type EvalCase, loadCases } from '../evals/cases.js';
import { parseEvalFile } from '../evals/eval-file.js';
import { Budget, callBudget } from '../optimize/budget.js';
import type { Estimate } from '../optimize/estimate.js';
import { MIN_HELD_OUT, splitCases } from '../optimize/split.js';
import { measurement, type Story } from '../optimize/story.js';
import { tokenCounter } from '../orchestration/retrieval/tokens.js';
import { alive } from '../workflows/run-helpers.js';
import type { EvalService } from './eval-service.js';
import type { EvalSource } from './eval-variants.js';
import { byIdPrefix } from './id-prefix.js';
import { planCalls, renderProblem } from './optimize-calls.js';
import { judge, measure, type Parent, type RunContext, runRound } from './optimize-steps.js';
import type { PromptHistoryService } from './prompt-history.js';
import type { PromptScope, PromptService, PromptView } from './prompt-service.js';
import type { RunService } from './run-service.js';

export interface OptimizeServiceDeps {
  optimizations: OptimizationRepository;
  evals: EvalService;
  prompts: PromptService;
  history: PromptHistoryService;
  runs: RunService;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface OptimizeOptions {
  evalFile: string;
  rounds: number;
  candidates: number;
  optimizerModel?: string;
  split: number;
  seed: number;
  minGain: number;
  alpha: number;
  maxCalls?: number;
  maxCostUsd?: number;
  label?: string;
  concurrency: number;
  noCache?: boolean;
  signal?: AbortSignal;
  /** What it is doing now: a measurement (with its cells) or a request to the optimizer. */
  onStage?: (stage: string, cells?: number) => void;
  onCell?: (progress: { done: number; passed: number; costUsd: number }) => void;
}

/** Everything an optimization starts from, read and checked before any call. */
export interface OptimizePlan {
  scope: PromptScope;
  start: PromptView;
  source: EvalSource;
  train: EvalCase[];
  heldOut: EvalCase[];
  repeat: number;
  estimate: Estimate;
  prices: Record<string, ModelPrice>;
}

export interface OptimizeResult {
  optimization: OptimizationRecord;
  story: Story;
  /** Why it ended early (a limit, Ctrl-C, a failed call): what finished is kept. */
  error?: AppError;
}

export class OptimizeService {
  constructor(private readonly deps: OptimizeServiceDeps) {}

  /** Reads the prompt and the eval, splits the cases and bounds the spending: no call yet. */
  async plan(scope: PromptScope, reference: string, options: OptimizeOptions) {
    const start = await this.deps.prompts.get(scope, reference);
    // Checked now, not after the rounds: the new version must be addable to this prompt.
    await this.deps.prompts.findOwn(scope, start.prompt.name);
    const path = resolve(this.deps.cwd, options.evalFile);
    let definition: string;
    try {
      definition = await readFile(path, 'utf8');
    } catch (error) {
      throw new ValidationError(`Cannot read ${options.evalFile}: ${cannotReadReason(error)}`);
    }
    const spec = parseEvalFile(definition, options.evalFile);
    const dirs = { baseDir: dirname(path), root: scope.project?.rootPath ?? this.deps.cwd };
    const cases = await loadCases(spec, dirs.baseDir, dirs.root);
    const { train, heldOut } = splitCases(cases, options.split, options.seed);
    if (heldOut.length < MIN_HELD_OUT) {
      throw new ValidationError(
        `Only ${heldOut.length} of the ${cases.length} cases are held out: at least ${MIN_HELD_OUT} are needed to show a win`,
        { hint: 'add cases to the eval, or hold out more with a lower --split' },
      );
    }
    if (train.length === 0) {
      throw new ValidationError('No case is left to train on', { hint: 'raise --split' });
    }
    const source: EvalSource = { spec, file: options.evalFile, definition, scope, dirs };
    // A start that cannot be rendered for some case is found now, not after paying for the rest.
    const text = { body: start.version.body, system: start.version.system };
    const problem = await renderProblem(this.deps, { scope, start, source, train, heldOut }, text);
    if (problem) {
      throw new ValidationError(`${start.prompt.name} v${start.version.version} ${problem}`, {
        hint: 'fix the prompt or the eval cases first: `eval run` shows the same',
      });
    }
    const repeat = spec.repeat ?? 1;
    const split = { train, heldOut, repeat };
    const planned = await planCalls(this.deps, { scope, start, source, ...split }, options);
    return { scope, start, source, ...split, ...planned } satisfies OptimizePlan;
  }

  async run(plan: OptimizePlan, options: OptimizeOptions): Promise<OptimizeResult> {
    const { start, scope, source, train, heldOut } = plan;
    const id = randomUUID();
    // Loaded before the row is written: nothing may fail between it and the try below.
    const counter = await tokenCounter();
    const story: Story = {
      prompt: start.prompt.name,
      startVersion: start.version.version,
      split: {
        seed: options.seed,
        fraction: options.split,
        train: train.map((item) => item.id),
        heldOut: heldOut.map((item) => item.id),
      },
      rounds: [],
    };
    await this.deps.optimizations.create({
      id,
      projectId: scope.project?.id ?? null,
      promptId: start.prompt.id,
      prompt: start.prompt.name,
      startVersion: start.version.version,
      evalFile: options.evalFile,
      definition: source.definition,
      config: configOf(options),
      story,
      pid: process.pid,
    });
    const limits = { maxCalls: options.maxCalls, maxCostUsd: options.maxCostUsd };
    const budget = new Budget(limits, plan.prices);
    const calls = callBudget(budget, counter);
    const context: RunContext = { id, plan, options, budget, calls, story };
    let status: Exclude<OptimizationStatus, 'running' | 'interrupted'> = 'failed';
    let error: AppError | undefined;
    try {
      await this.optimize(context);
      status = context.savedVersion === undefined ? 'not_saved' : 'saved';
    } catch (caught) {
      if (!(caught instanceof AppError)) throw caught;
      error = caught;
      if (budget.exhausted) status = 'stopped';
      else if (caught.exitCode === EXIT_CANCELLED) {
        status = 'cancelled';
        error = new AppError(`Cancelled: optimization ${id.slice(0, 8)} keeps what finished`, {
          code: 'CANCELLED',
          exitCode: EXIT_CANCELLED,
          hint: `see \`prompt-runner optimize show ${id.slice(0, 8)}\``,
        });
      }
    } finally {
      await this.deps.optimizations.finish(id, {
        status,
        story,
        savedVersion: context.savedVersion,
        error: error
          ? errorJson(error)
          : status === 'failed'
            ? {
                message: 'stopped by an unexpected error',
                code: 'INTERNAL',
                exitCode: 1,
                hint: null,
              }
            : undefined,
      });
    }
    return { optimization: await this.get(id), story, ...(error ? { error } : {}) };
  }

  /** The start, the rounds and the verdict (which saves the version, if it wins). */
  private async optimize(run: RunContext): Promise<void> {
    const { plan, options, story } = run;
    const { start, train, heldOut } = plan;
    const text = { body: start.version.body, system: start.version.system };
    const baseline = await measure(this.deps, run, 'start', null, [...train, ...heldOut]);
    const ids = (cases: EvalCase[]) => new Set(cases.map((item) => item.id));
    story.start = {
      train: measurement(baseline.runId, baseline.results, ids(train)),
      heldOut: measurement(baseline.runId, baseline.results, ids(heldOut)),
    };
    await this.deps.optimizations.saveStory(run.id, story);
    let parent: Parent = { id: 'start', text, train: story.start.train, results: baseline.results };
    for (let round = 1; round <= options.rounds; round++) {
      const { next, done } = await runRound(this.deps, run, round, parent);
      parent = next;
      await this.deps.optimizations.saveStory(run.id, story);
      if (done) break;
    }
    await judge(this.deps, run, parent, { ...story.start, results: baseline.results });
  }

  async list(filter: { projectId?: number; prompt?: string; limit: number }) {
    return (await this.deps.optimizations.list(filter)).map(interrupted);
  }

  /** An optimization by its id or a unique prefix of it (at least 4 characters). */
  async get(prefix: string): Promise<OptimizationRecord> {
    const what = { name: 'optimization', list: 'optimize list' };
    return interrupted(
      await byIdPrefix(prefix, what, (id) => this.deps.optimizations.byPrefix(id)),
    );
  }
}

/** A run whose process, on this machine, ended before it finished: interrupted. */
function interrupted(record: OptimizationRecord): OptimizationRecord {
  const { status, pid, config } = record;
  if (status !== 'running' || pid === null || config.host !== hostname() || alive(pid)) {
    return record;
  }
  const message = `Its process (${pid}) ended before it finished`;
  return {
    ...record,
    status: 'interrupted',
    error: { message, code: 'INTERRUPTED', exitCode: 1, hint: 'run it again' },
  };
}

function configOf(options: OptimizeOptions): Record<string, unknown> {
  const { rounds, candidates, optimizerModel, split, seed, minGain, alpha } = options;
  const { maxCalls, maxCostUsd, label, noCache } = options;
  return {
    rounds,
    candidates,
    optimizerModel,
    split,
    seed,
    minGain,
    alpha,
    maxCalls,
    maxCostUsd,
    label,
    noCache: Boolean(noCache),
    // Where it runs: a run whose process there has ended is shown as interrupted.
    host: hostname(),
  };
}
