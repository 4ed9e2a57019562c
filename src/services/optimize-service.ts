// Optimization: a model rewrites a stored prompt from the training cases it fails, each
// rewrite is measured on them, and the last one kept is judged on cases it was never shown.
// It is saved as a new version only when it beats the starting version there by the margin
// asked and a paired sign test says the win is unlikely to be chance. Every call names the
// optimization; every measurement is an eval run of its own.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  AppError,
  ConflictError,
  errorJson,
  NotFoundError,
  ValidationError,
} from '../core/errors.js';
import { cannotReadReason } from '../core/fs.js';
import { CancelledError, EXIT_CANCELLED } from '../core/model-client/errors.js';
import type { ModelPrice } from '../core/model-client/pricing.js';
import type { EvalResultRecord } from '../db/repositories/eval-repository.js';
import type {
  OptimizationRecord,
  OptimizationRepository,
  OptimizationStatus,
} from '../db/repositories/optimization-repository.js';
import { type EvalCase, loadCases } from '../evals/cases.js';
import { parseEvalFile } from '../evals/eval-file.js';
import { Budget, callBudget } from '../optimize/budget.js';
import { type Candidate, checkCandidates } from '../optimize/candidates.js';
import type { Estimate } from '../optimize/estimate.js';
import { signTest } from '../optimize/sign-test.js';
import { MIN_HELD_OUT, splitCases } from '../optimize/split.js';
import {
  beats,
  type CandidateStory,
  caseScores,
  failures,
  type Measurement,
  measurement,
  type RoundStory,
  type Story,
} from '../optimize/story.js';
import { tokenCounter } from '../orchestration/retrieval/tokens.js';
import type { EvalService, EvalSource } from './eval-service.js';
import type { DraftSource } from './eval-variants.js';
import { askOptimizer, planCalls } from './optimize-calls.js';
import type { PromptHistoryService } from './prompt-history.js';
import type { PromptScope, PromptService, PromptView } from './prompt-service.js';
import type { RunService } from './run-service.js';
import type { CallBudget } from './run-types.js';

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
    const repeat = spec.repeat ?? 1;
    const split = { train, heldOut, repeat };
    const planned = await planCalls(this.deps, { scope, start, source, ...split }, options);
    return { scope, start, source, ...split, ...planned } satisfies OptimizePlan;
  }

  async run(plan: OptimizePlan, options: OptimizeOptions): Promise<OptimizeResult> {
    const { start, scope, source, train, heldOut } = plan;
    const id = randomUUID();
    const trainIds = new Set(train.map((item) => item.id));
    const heldOutIds = heldOut.map((item) => item.id);
    await this.deps.optimizations.create({
      id,
      projectId: scope.project?.id ?? null,
      promptId: start.prompt.id,
      prompt: start.prompt.name,
      startVersion: start.version.version,
      evalFile: options.evalFile,
      definition: source.definition,
      config: configOf(options),
      pid: process.pid,
    });
    const story: Story = {
      prompt: start.prompt.name,
      startVersion: start.version.version,
      split: {
        seed: options.seed,
        fraction: options.split,
        train: [...trainIds],
        heldOut: heldOutIds,
      },
      rounds: [],
      spent: { calls: 0, costUsd: 0 },
    };
    const limits = { maxCalls: options.maxCalls, maxCostUsd: options.maxCostUsd };
    const budget = new Budget(limits, plan.prices);
    const calls = callBudget(budget, await tokenCounter());
    const context = { id, plan, options, budget, calls, story };
    let status: Exclude<OptimizationStatus, 'running'> = 'failed';
    let error: AppError | undefined;
    let savedVersion: number | undefined;
    try {
      savedVersion = await this.optimize(context);
      status = savedVersion === undefined ? 'not_saved' : 'saved';
    } catch (caught) {
      if (!(caught instanceof AppError)) throw caught;
      error = caught;
      if (budget.exhausted) status = 'stopped';
      else if (caught.exitCode === EXIT_CANCELLED) status = 'cancelled';
    } finally {
      story.spent = budget.spent;
      await this.deps.optimizations.finish(id, {
        status,
        story,
        savedVersion,
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

  /** The rounds and the verdict; returns the version saved, if one was. */
  private async optimize(run: RunContext): Promise<number | undefined> {
    const { plan, options, story } = run;
    const { start, train, heldOut } = plan;
    const trainIds = new Set(train.map((item) => item.id));
    const heldOutIds = new Set(heldOut.map((item) => item.id));
    const startText = { body: start.version.body, system: start.version.system };

    const baseline = await this.measure(run, 'start', null, [...train, ...heldOut]);
    const startTrain = measurement(baseline.runId, baseline.results, trainIds);
    const startHeld = measurement(baseline.runId, baseline.results, heldOutIds);
    story.start = { train: startTrain, heldOut: startHeld };
    await this.deps.optimizations.saveStory(run.id, story);

    let parent = { id: 'start', text: startText, train: startTrain, results: baseline.results };
    for (let round = 1; round <= options.rounds; round++) {
      const failed = failures(
        parent.results.filter((r) => trainIds.has(r.caseId)),
        train,
      );
      const entry: RoundStory = {
        round,
        parent: parent.id,
        optimizerExecutionId: null,
        candidates: [],
        best: null,
        kept: false,
        why: '',
      };
      story.rounds.push(entry);
      if (failed.length === 0) {
        entry.why = `${parent.id} passes every training case: nothing left to learn from`;
        break;
      }
      options.onStage?.(
        `round ${round}: asking ${options.optimizerModel ?? 'the model'} for ${options.candidates} rewrites`,
      );
      const answer = await askOptimizer(this.deps, run, parent.text, failed);
      entry.optimizerExecutionId = answer.executionId;
      const variables = start.version.variables.map((variable) => variable.name);
      const { accepted, refused } = checkCandidates(
        { ...parent.text, variables },
        answer.proposals,
      );
      const named = (index: number) => `r${round}c${index + 1}`;
      for (const refusal of refused) {
        const proposal = answer.proposals[refusal.index] as Candidate;
        entry.candidates[refusal.index] = {
          id: named(refusal.index),
          rationale: proposal.rationale,
          body: proposal.body,
          system: proposal.system ?? null,
          status: 'refused',
          reason: refusal.reason,
        };
      }
      let best:
        | { id: string; text: Candidate; train: Measurement; results: typeof parent.results }
        | undefined;
      for (const candidate of accepted) {
        const index = answer.proposals.findIndex(
          (p) => p.body === candidate.body && p.rationale === candidate.rationale,
        );
        const cid = named(index);
        const told: CandidateStory = {
          id: cid,
          rationale: candidate.rationale,
          body: candidate.body,
          system: candidate.system,
          status: 'not_measured',
        };
        entry.candidates[index] = told;
        const measured = await this.measure(run, cid, candidate, train);
        told.train = measurement(measured.runId, measured.results, trainIds);
        told.status = 'measured';
        if (!best || beats(told.train, best.train)) {
          best = { id: cid, text: candidate, train: told.train, results: measured.results };
        }
        await this.deps.optimizations.saveStory(run.id, story);
      }
      entry.candidates = entry.candidates.filter(Boolean);
      if (!best) {
        entry.why = 'no rewrite could be measured';
        continue;
      }
      entry.best = best.id;
      entry.kept = beats(best.train, parent.train);
      entry.why = entry.kept
        ? `${best.id} beats ${parent.id} on the training cases (${rate(best.train)} against ${rate(parent.train)})`
        : `${best.id} does not beat ${parent.id} on the training cases (${rate(best.train)} against ${rate(parent.train)}): ${parent.id} stays`;
      if (entry.kept) parent = best;
      await this.deps.optimizations.saveStory(run.id, story);
    }
    return this.judge(run, parent, { ...startHeld, results: baseline.results }, heldOut);
  }

  /** The last kept rewrite on the held-out cases: saved only when it wins there. */
  private async judge(
    run: RunContext,
    final: { id: string; text: { body: string; system: string | null }; train: Measurement },
    startHeld: Measurement & { results: EvalResultRecord[] },
    heldOut: EvalCase[],
  ): Promise<number | undefined> {
    const { story, options, plan } = run;
    if (final.id === 'start') {
      story.verdict = {
        candidate: null,
        saved: false,
        why: `no rewrite beat v${story.startVersion} on the training cases`,
      };
      return undefined;
    }
    const heldOutIds = heldOut.map((item) => item.id);
    const measured = await this.measure(run, `${final.id} held out`, final.text, heldOut);
    const held = measurement(measured.runId, measured.results, new Set(heldOutIds));
    const test = signTest(
      caseScores(startHeld.results, heldOutIds),
      caseScores(measured.results, heldOutIds),
    );
    const gain = held.passRate - startHeld.passRate;
    const won = gain >= options.minGain && test.p <= options.alpha;
    story.verdict = {
      candidate: final.id,
      heldOut: held,
      gain,
      signTest: test,
      saved: false,
      why: won
        ? `${final.id} beats v${story.startVersion} on the held-out cases by ${points(gain)} (p = ${test.p.toFixed(3)})`
        : gain < options.minGain
          ? `its held-out gain of ${points(gain)} is below --min-gain ${points(options.minGain)}`
          : `the sign test gives p = ${test.p.toFixed(3)}, above --alpha ${options.alpha}`,
    };
    if (!won) return undefined;
    const version = await this.save(run, final, held, gain, test);
    story.verdict.saved = true;
    story.verdict.version = version;
    if (options.label) {
      await this.deps.history.setLabel(plan.scope, story.prompt, options.label, version);
    }
    return version;
  }

  /** The new version: the starting one with the rewritten text, its lineage in the note. */
  private async save(
    run: RunContext,
    final: { id: string; text: { body: string; system: string | null }; train: Measurement },
    held: Measurement,
    gain: number,
    test: { wins: number; losses: number; ties: number; p: number },
  ): Promise<number> {
    const { plan, story, id } = run;
    const { version } = plan.start;
    const start = story.start as NonNullable<Story['start']>;
    const message =
      `optimize ${id.slice(0, 8)}: ${final.id} from v${version.version} with ${plan.source.file}; ` +
      `held out ${rate(start.heldOut)} → ${rate(held)} (${points(gain)}; ${test.wins} better, ${test.losses} worse, ${test.ties} same; p = ${test.p.toFixed(3)}), ` +
      `train ${rate(start.train)} → ${rate(final.train)}; eval runs ${start.train.evalRunId.slice(0, 8)}, ${held.evalRunId.slice(0, 8)}`;
    const saved = await this.deps.prompts.update(plan.scope, story.prompt, {
      body: final.text.body,
      system: final.text.system,
      model: version.model,
      parameters: version.parameters,
      variables: version.variables,
      metadata: version.metadata,
      message,
    });
    return saved.version.version;
  }

  /** One prompt (the start, or a rewrite) measured on some cases, as one eval run. */
  private async measure(
    run: RunContext,
    label: string,
    text: { body: string; system: string | null } | null,
    cases: EvalCase[],
  ) {
    const { plan, options, calls } = run;
    const { start } = plan;
    const draft: DraftSource = {
      name: start.prompt.name,
      version: start.version.version,
      draft: text ?? { body: start.version.body, system: start.version.system },
      label: `${start.prompt.name} · ${label}`,
    };
    options.onStage?.(`measuring ${label} on ${cases.length} cases`, cases.length * plan.repeat);
    const { run: evalRun, results } = await this.deps.evals.measure(plan.source, cases, draft, {
      optimizationId: run.id,
      concurrency: options.concurrency,
      noCache: options.noCache,
      signal: options.signal,
      budget: calls,
      onCell: options.onCell,
    });
    if (evalRun.status === 'cancelled') {
      throw run.budget.exhausted ?? new CancelledError({ attempts: 0, partialText: '' });
    }
    return { runId: evalRun.id, results };
  }

  async list(filter: { projectId?: number; prompt?: string; limit: number }) {
    return this.deps.optimizations.list(filter);
  }

  /** An optimization by its id or a unique prefix of it (at least 4 characters). */
  async get(prefix: string): Promise<OptimizationRecord> {
    const id = prefix.trim().toLowerCase();
    if (id.length < 4)
      throw new ValidationError('Give at least 4 characters of the optimization id');
    const found = await this.deps.optimizations.byPrefix(id);
    if (found.length === 0) {
      throw new NotFoundError(`No optimization with id ${prefix}`, { hint: 'see `optimize list`' });
    }
    if (found.length > 1) {
      throw new ConflictError(`Optimization id ${prefix} is ambiguous`, {
        hint: found.map((o) => o.id.slice(0, 12)).join(', '),
      });
    }
    return found[0] as OptimizationRecord;
  }
}

export interface RunContext {
  id: string;
  plan: OptimizePlan;
  options: OptimizeOptions;
  budget: Budget;
  /** The budget as every call sees it. */
  calls: CallBudget;
  story: Story;
}

const rate = (m: Measurement) => `${(m.passRate * 100).toFixed(1)}%`;
const points = (gain: number) => `${gain >= 0 ? '+' : ''}${(gain * 100).toFixed(1)} pts`;

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
  };
}
