// The steps of an optimization: measuring a prompt's text on some cases (one eval run), a
// round of rewrites, and the verdict on the held-out cases with the version it saves.
import { AppError } from '../core/errors.js';
import { CancelledError } from '../core/model-client/errors.js';
import type { EvalResultRecord } from '../db/repositories/eval-repository.js';
import { GRADED_TYPES } from '../evals/assertions.js';
import type { EvalCase } from '../evals/cases.js';
import type { Budget } from '../optimize/budget.js';
import { checkCandidates, type PromptText, type TriedRewrite } from '../optimize/candidates.js';
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
  /** The version saved, once it is (kept even if moving the label then fails). */
  savedVersion?: number;
}

/** A gain this close below --min-gain is the same gain, rounded. */
const GAIN_TOLERANCE = 1e-9;

/** A prompt text with its training score: the start, or a kept rewrite. */
export interface Parent {
  id: string;
  text: PromptText;
  train: Measurement;
  results: EvalResultRecord[];
}

/**
 * A rewrite (or the start, `text` null: its calls then name its version) measured on some
 * cases, as one eval run.
 */
export async function measure(
  deps: OptimizeServiceDeps,
  run: RunContext,
  label: string,
  text: PromptText | null,
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
  const failedBefore = run.budget.failures.length;
  const { run: evalRun, results } = await deps.evals.measure(plan.source, cases, draft, {
    optimizationId: run.id,
    concurrency: options.concurrency,
    noCache: options.noCache,
    signal: options.signal,
    budget: calls,
    onCell: options.onCell,
  });
  // A measurement cut short by a limit or Ctrl-C decides nothing; nor does one in which a
  // call failed (the model's, or a grader's: a failed call is not a wrong answer), or a
  // grader's answer could not be read, or a cell got no answer.
  if (run.budget.exhausted) throw run.budget.exhausted;
  const failedCalls = run.budget.failures.slice(failedBefore);
  const unanswered = results.filter((r) => r.error !== null && r.output === null);
  const ungraded = results.flatMap((r) => (r.assertions as Outcome[]).filter(graderFailed));
  let what: string | undefined;
  let first: string | undefined;
  if (failedCalls.length > 0) {
    what = `${count(failedCalls.length, 'call')} failed`;
    first = failedCalls[0];
  } else if (evalRun.status === 'cancelled') {
    throw new CancelledError({ attempts: 0, partialText: '' });
  } else if (unanswered.length > 0) {
    what = `${count(unanswered.length, 'cell')} got no answer`;
    first = unanswered[0]?.error ?? undefined;
  } else if (ungraded.length > 0) {
    what = `the grader could not judge ${count(ungraded.length, 'answer')}`;
    first = ungraded[0]?.reason;
  }
  if (what) {
    throw new AppError(`Measuring ${label}, ${what}: ${first}`, {
      code: 'MEASURE_FAILED',
      hint: `see \`prompt-runner eval show ${evalRun.id.slice(0, 8)} --failing\`; nothing was saved`,
    });
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
  const tried = triedFrom(story, parent.id);
  let answer: Awaited<ReturnType<typeof askOptimizer>>;
  try {
    answer = await askOptimizer(deps, run, parent.text, failed, tried);
  } catch (error) {
    // An answer that is not K rewrites ends the round, not the run.
    if (!(error instanceof StructuredOutputError)) throw error;
    entry.optimizerExecutionId = error.details.executionId ?? null;
    entry.why = `the optimizer's answer is not usable: ${error.message}`;
    return { next: parent, done: false };
  }
  entry.optimizerExecutionId = answer.executionId;
  const variables = start.version.variables.map((variable) => variable.name);
  // Any text an earlier round proposed, from whichever parent, is known already.
  const earlier = story.rounds.flatMap((r) => (r === entry ? [] : r.candidates));
  const checked = checkCandidates({ ...parent.text, variables }, answer.proposals, earlier);
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
    const candidateStory = told[candidate.index] as CandidateStory;
    const text = { body: candidate.body, system: candidate.system };
    candidateStory.system = text.system;
    const measured = await measure(deps, run, candidateStory.id, text, train);
    candidateStory.train = measurement(measured.runId, measured.results, trainIds);
    candidateStory.status = 'measured';
    if (!best || beats(candidateStory.train, best.train)) {
      best = {
        id: candidateStory.id,
        text,
        train: candidateStory.train,
        results: measured.results,
      };
    }
    await deps.optimizations.saveStory(run.id, story);
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
 * when it gains at least --min-gain and the sign test gives p ≤ --alpha.
 */
export async function judge(
  deps: OptimizeServiceDeps,
  run: RunContext,
  final: Parent,
  start: { heldOut: Measurement; results: EvalResultRecord[] },
): Promise<void> {
  const { story, options, plan } = run;
  if (final.id === 'start') {
    const why = `no rewrite beat v${story.startVersion} on the training cases`;
    story.verdict = { candidate: null, saved: false, why };
    return;
  }
  const ids = plan.heldOut.map((item) => item.id);
  const measured = await measure(deps, run, `${final.id} held out`, final.text, plan.heldOut);
  const held = measurement(measured.runId, measured.results, new Set(ids));
  const test = signTest(caseScores(start.results, ids), caseScores(measured.results, ids));
  const gain = held.passRate - start.heldOut.passRate;
  // Pass rates are ratios of counts: 12/20 − 11/20 is 0.05, not 0.0499….
  const won = gain >= options.minGain - GAIN_TOLERANCE && test.p <= options.alpha;
  let why = `${final.id} beats v${story.startVersion} on the held-out cases by ${points(gain)} (${pValue(test.p)})`;
  if (gain < options.minGain - GAIN_TOLERANCE) {
    why = `its held-out gain of ${points(gain)} is below --min-gain ${points(options.minGain)}`;
  } else if (!won) {
    why = `the sign test gives ${pValue(test.p)}, above --alpha ${options.alpha}`;
  }
  story.verdict = { candidate: final.id, heldOut: held, gain, signTest: test, saved: false, why };
  if (!won) return;
  const version = await save(deps, run, final, held);
  if (version === undefined) {
    story.verdict.why = `${story.prompt}'s latest version already has this text: nothing to save`;
    return;
  }
  story.verdict.saved = true;
  story.verdict.version = version;
  run.savedVersion = version;
  if (options.label) {
    await deps.history.setLabel(plan.scope, story.prompt, options.label, version);
  }
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
  // The new version is the starting one rewritten: versions added since are not in it.
  const { latest } = await deps.prompts.find(plan.scope, story.prompt);
  const after = version.version + 1;
  const since = after === latest.version ? `v${after}` : `v${after}–v${latest.version}`;
  const newer =
    latest.version === version.version
      ? ''
      : `; built on v${version.version}, without the changes of ${since}`;
  const message = [
    `optimize ${id.slice(0, 8)}: ${final.id} from v${version.version} with ${plan.source.file};`,
    `held out ${rate(start.heldOut)} → ${rate(held)} (${points(verdict.gain ?? 0)};`,
    `${wins} better, ${losses} worse, ${ties} same; ${pValue(p)}),`,
    `train ${rate(start.train)} → ${rate(final.train)};`,
    `eval runs ${start.heldOut.evalRunId.slice(0, 8)} (start), ${final.train.evalRunId.slice(0, 8)} (train), ${held.evalRunId.slice(0, 8)} (held out)${newer}`,
  ].join(' ');
  verdict.why += newer;
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

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

type Outcome = { type: string; reason: string };

/** A model-graded assertion whose grader answered something that is not a verdict. */
const graderFailed = (outcome: Outcome) =>
  GRADED_TYPES.includes(outcome.type.replace(/^not-/, '')) &&
  outcome.reason.startsWith('the check failed:');

/** The rewrites earlier rounds tried from `parent`, with what became of each. */
function triedFrom(story: Story, parent: string): TriedRewrite[] {
  return story.rounds
    .filter((round) => round.parent === parent)
    .flatMap((round) => round.candidates)
    .map((candidate) => ({
      id: candidate.id,
      body: candidate.body,
      system: candidate.system,
      outcome: candidate.train
        ? `train ${rate(candidate.train)}`
        : `${candidate.status.replace('_', ' ')}${candidate.reason ? `: ${candidate.reason}` : ''}`,
    }));
}
