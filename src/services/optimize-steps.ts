// The steps of an optimization: measuring a prompt's text on some cases (one eval run), a
// round of rewrites, and the verdict on the held-out cases with the version it saves.
import { AppError } from '../core/errors.js';
import { CancelledError } from '../core/model-client/errors.js';
import type { EvalResultRecord } from '../db/repositories/eval-repository.js';
import type { EvalCase } from '../evals/cases.js';
import type { Budget } from '../optimize/budget.js';
import { checkCandidates, type PromptText } from '../optimize/candidates.js';
import { signTest } from '../optimize/sign-test.js';
import {
  beats,
  type CandidateStory,
  caseScores,
  failures,
  type Measurement,
  measurement,
  points,
  pValue,
  type RoundStory,
  rate,
  type Story,
} from '../optimize/story.js';
import { askOptimizer, renderProblem } from './optimize-calls.js';
import type { OptimizeOptions, OptimizePlan, OptimizeServiceDeps } from './optimize-service.js';
import type { CallBudget } from './run-types.js';
import { StructuredOutputError } from './structured-run.js';

/** An optimization under way. */
export interface RunContext {
  id: string;
  plan: OptimizePlan;
  options: OptimizeOptions;
  budget: Budget;
  /** The budget as every call sees it. */
  calls: CallBudget;
  story: Story;
}

/** A prompt text with its training score: the start, or a kept rewrite. */
export interface Parent {
  id: string;
  text: PromptText;
  train: Measurement;
  results: EvalResultRecord[];
}

/** One prompt text (the start's, or a rewrite) measured on some cases, as one eval run. */
export async function measure(
  deps: OptimizeServiceDeps,
  run: RunContext,
  label: string,
  text: PromptText,
  cases: EvalCase[],
): Promise<{ runId: string; results: EvalResultRecord[] }> {
  const { plan, options, calls } = run;
  const { prompt, version } = plan.start;
  const draft = {
    name: prompt.name,
    version: version.version,
    draft: text,
    label: `${prompt.name} · ${label}`,
  };
  options.onStage?.(`measuring ${label} on ${cases.length} cases`, cases.length * plan.repeat);
  const { run: evalRun, results } = await deps.evals.measure(plan.source, cases, draft, {
    optimizationId: run.id,
    concurrency: options.concurrency,
    noCache: options.noCache,
    signal: options.signal,
    budget: calls,
    onCell: options.onCell,
  });
  // A measurement cut short (a limit reached, or Ctrl-C) decides nothing.
  if (evalRun.status === 'cancelled') {
    throw run.budget.exhausted ?? new CancelledError({ attempts: 0, partialText: '' });
  }
  // Nor does one whose calls failed: a failed call is not a wrong answer.
  const failed = results.filter((result) => result.error !== null);
  if (failed.length > 0) {
    throw new AppError(
      `${failed.length} of the ${results.length} cells measuring ${label} failed: ${failed[0]?.error}`,
      {
        code: 'MEASURE_FAILED',
        hint: `see \`prompt-runner eval show ${evalRun.id.slice(0, 8)} --failing\`; nothing was saved`,
      },
    );
  }
  return { runId: evalRun.id, results };
}

/**
 * A round: rewrites of `parent` asked for from its failed training cases, the acceptable ones
 * measured on the training cases; returns the next parent (the best, if it beats `parent`).
 */
export async function runRound(
  deps: OptimizeServiceDeps,
  run: RunContext,
  round: number,
  parent: Parent,
): Promise<{ next: Parent; done: boolean }> {
  const { plan, options, story } = run;
  const { train, start } = plan;
  const trainIds = new Set(train.map((item) => item.id));
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
  const failed = failures(
    parent.results.filter((result) => trainIds.has(result.caseId)),
    train,
  );
  if (failed.length === 0) {
    entry.why = `${parent.id} passes every training case: nothing left to learn from`;
    return { next: parent, done: true };
  }
  const optimizer = options.optimizerModel ?? 'the default model';
  options.onStage?.(`round ${round}: asking ${optimizer} for ${options.candidates} rewrites`);
  let answer: Awaited<ReturnType<typeof askOptimizer>>;
  try {
    answer = await askOptimizer(deps, run, parent.text, failed);
  } catch (error) {
    // An answer that is not K rewrites ends the round, not the run.
    if (!(error instanceof StructuredOutputError)) throw error;
    entry.optimizerExecutionId = error.details.executionId ?? null;
    entry.why = `the optimizer's answer is not usable: ${error.message}`;
    return { next: parent, done: false };
  }
  entry.optimizerExecutionId = answer.executionId;
  const variables = start.version.variables.map((variable) => variable.name);
  const checked = checkCandidates({ ...parent.text, variables }, answer.proposals);
  const { refused } = checked;
  const accepted: typeof checked.accepted = [];
  for (const candidate of checked.accepted) {
    // Rendered for every case before a call: a rewrite that cannot be is refused.
    const problem = await renderProblem(deps, plan, candidate);
    if (problem) refused.push({ index: candidate.index, reason: problem });
    else accepted.push(candidate);
  }
  const told: CandidateStory[] = answer.proposals.map((proposal, index) => {
    const refusal = refused.find((r) => r.index === index);
    return {
      id: `r${round}c${index + 1}`,
      rationale: proposal.rationale,
      body: proposal.body,
      system: proposal.system ?? null,
      status: refusal ? 'refused' : 'not_measured',
      ...(refusal ? { reason: refusal.reason } : {}),
    };
  });
  entry.candidates = told;
  await deps.optimizations.saveStory(run.id, story);
  let best: Parent | undefined;
  for (const candidate of accepted) {
    const story = told[candidate.index] as CandidateStory;
    story.system = candidate.system;
    const measured = await measure(deps, run, story.id, candidate, train);
    story.train = measurement(measured.runId, measured.results, trainIds);
    story.status = 'measured';
    if (!best || beats(story.train, best.train)) {
      best = { id: story.id, text: candidate, train: story.train, results: measured.results };
    }
    await deps.optimizations.saveStory(run.id, run.story);
  }
  if (!best) {
    entry.why = 'no rewrite could be measured';
    return { next: parent, done: false };
  }
  entry.best = best.id;
  entry.kept = beats(best.train, parent.train);
  const scores = `${rate(best.train)} against ${rate(parent.train)}`;
  entry.why = entry.kept
    ? `${best.id} beats ${parent.id} on the training cases (${scores})`
    : `${best.id} does not beat ${parent.id} on the training cases (${scores}): ${parent.id} stays`;
  return { next: entry.kept ? best : parent, done: false };
}

/**
 * The last kept rewrite on the held-out cases, against the start's cells there: saved only
 * when it gains at least --min-gain and the sign test gives p ≤ --alpha. Returns the version.
 */
export async function judge(
  deps: OptimizeServiceDeps,
  run: RunContext,
  final: Parent,
  start: { heldOut: Measurement; results: EvalResultRecord[] },
): Promise<number | undefined> {
  const { story, options, plan } = run;
  if (final.id === 'start') {
    const why = `no rewrite beat v${story.startVersion} on the training cases`;
    story.verdict = { candidate: null, saved: false, why };
    return undefined;
  }
  const ids = plan.heldOut.map((item) => item.id);
  const measured = await measure(deps, run, `${final.id} held out`, final.text, plan.heldOut);
  const held = measurement(measured.runId, measured.results, new Set(ids));
  const test = signTest(caseScores(start.results, ids), caseScores(measured.results, ids));
  const gain = held.passRate - start.heldOut.passRate;
  const won = gain >= options.minGain && test.p <= options.alpha;
  let why = `${final.id} beats v${story.startVersion} on the held-out cases by ${points(gain)} (${pValue(test.p)})`;
  if (gain < options.minGain) {
    why = `its held-out gain of ${points(gain)} is below --min-gain ${points(options.minGain)}`;
  } else if (!won) {
    why = `the sign test gives ${pValue(test.p)}, above --alpha ${options.alpha}`;
  }
  story.verdict = { candidate: final.id, heldOut: held, gain, signTest: test, saved: false, why };
  if (!won) return undefined;
  const version = await save(deps, run, final, held);
  if (version === undefined) {
    story.verdict.why = `${story.prompt}'s latest version already has this text: nothing to save`;
    return undefined;
  }
  story.verdict.saved = true;
  story.verdict.version = version;
  if (options.label) {
    await deps.history.setLabel(plan.scope, story.prompt, options.label, version);
  }
  return version;
}

/**
 * The new version: the starting one with the rewritten text, its lineage in the note.
 * Undefined when the latest version is that already.
 */
async function save(
  deps: OptimizeServiceDeps,
  run: RunContext,
  final: Parent,
  held: Measurement,
): Promise<number | undefined> {
  const { plan, story, id } = run;
  const { version } = plan.start;
  const start = story.start as NonNullable<Story['start']>;
  const verdict = story.verdict as NonNullable<Story['verdict']>;
  const { wins, losses, ties, p } = verdict.signTest as NonNullable<typeof verdict.signTest>;
  const message = [
    `optimize ${id.slice(0, 8)}: ${final.id} from v${version.version} with ${plan.source.file};`,
    `held out ${rate(start.heldOut)} → ${rate(held)} (${points(verdict.gain ?? 0)};`,
    `${wins} better, ${losses} worse, ${ties} same; ${pValue(p)}),`,
    `train ${rate(start.train)} → ${rate(final.train)};`,
    `eval runs ${start.heldOut.evalRunId.slice(0, 8)} (start), ${final.train.evalRunId.slice(0, 8)} (train), ${held.evalRunId.slice(0, 8)} (held out)`,
  ].join(' ');
  const saved = await deps.prompts.update(plan.scope, story.prompt, {
    body: final.text.body,
    system: final.text.system,
    model: version.model,
    parameters: version.parameters,
    variables: version.variables,
    metadata: version.metadata,
    message,
  });
  return saved.changed ? saved.version.version : undefined;
}
