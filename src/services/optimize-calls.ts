// The calls of an optimization besides its measurements: the request to the optimizer model
// (a structured answer of K rewrites), and the plan of every call it may make, counted before
// it starts (`--dry-run`, and the check that --max-cost can be kept).
import { AppError, ValidationError } from '../core/errors.js';
import type { ModelPrice } from '../core/model-client/pricing.js';
import { GRADED_TYPES, isAcrossVariants } from '../evals/assertions.js';
import type { EvalCase } from '../evals/cases.js';
import { Budget, messageTokens } from '../optimize/budget.js';
import {
  answerSchema,
  type FailedCase,
  optimizerMessages,
  type PromptText,
  type ProposedCandidate,
  SHOWN_FAILURES,
  SHOWN_OUTPUT,
  SHOWN_REASONS,
  SHOWN_TRIED,
  type TriedRewrite,
} from '../optimize/candidates.js';
import {
  type Estimate,
  estimate,
  type GradedCase,
  measurementCalls,
  type PlannedCalls,
  type RenderedCell,
} from '../optimize/estimate.js';
import { type TokenCounter, tokenCounter } from '../orchestration/retrieval/tokens.js';
import { buildGrader, buildVariants, type Variant } from './eval-variants.js';
import type { OptimizeOptions, OptimizePlan, OptimizeServiceDeps } from './optimize-service.js';
import type { RunContext } from './optimize-steps.js';
import type { PreparedCall } from './run-types.js';

/** The most the optimizer may answer: K whole rewrites. */
export const OPTIMIZER_MAX_TOKENS = 4_096;
/** Some variety between the rewrites of one request. */
const OPTIMIZER_TEMPERATURE = 0.7;

type Deps = Pick<OptimizeServiceDeps, 'prompts' | 'runs' | 'env'>;

/** The request to the optimizer: the parent's text, its variables and the failed cases. */
async function optimizerCall(
  deps: Deps,
  plan: Pick<OptimizePlan, 'scope' | 'start'>,
  options: Pick<OptimizeOptions, 'candidates' | 'optimizerModel' | 'noCache'>,
  parent: PromptText,
  failed: FailedCase[],
  tried: TriedRewrite[],
  optimizationId?: string,
): Promise<PreparedCall> {
  const variables = plan.start.version.variables.map((variable) => variable.name);
  const { system, user } = optimizerMessages({
    ...parent,
    variables,
    failures: failed,
    candidates: options.candidates,
    tried,
  });
  const schema = answerSchema(parent.system !== null);
  const { jsonSchemaFormat } = await import('./structured-output.js');
  return deps.runs.prepareText(
    plan.scope,
    { system, user, variables: {} },
    {
      model: null,
      parameters: { temperature: OPTIMIZER_TEMPERATURE, maxTokens: OPTIMIZER_MAX_TOKENS },
      output: { schema, format: jsonSchemaFormat(schema) },
    },
    {
      flags: { model: options.optimizerModel, noCache: options.noCache },
      links: optimizationId ? { optimizationId, phase: 'optimize' } : { phase: 'optimize' },
    },
  );
}

/** Asks the optimizer for rewrites of `parent` that would pass the failed cases. */
export async function askOptimizer(
  deps: Deps,
  run: RunContext,
  parent: PromptText,
  failed: FailedCase[],
  tried: TriedRewrite[],
): Promise<{ executionId: string; proposals: ProposedCandidate[] }> {
  const call = await optimizerCall(deps, run.plan, run.options, parent, failed, tried, run.id);
  const answer = await deps.runs.execute(call, {
    signal: run.options.signal,
    budget: run.calls,
  });
  const { candidates } = answer.data as { candidates: ProposedCandidate[] };
  return {
    executionId: answer.executionId,
    proposals: candidates.slice(0, run.options.candidates),
  };
}

/** Every call the optimization may make, and what they may cost. */
export async function planCalls(
  deps: Deps,
  plan: Omit<OptimizePlan, 'estimate' | 'prices'>,
  options: OptimizeOptions,
): Promise<{ estimate: Estimate; prices: Record<string, ModelPrice> }> {
  const { scope, start, source, train, heldOut, repeat } = plan;
  const count = await tokenCounter();
  const pinned = `${start.prompt.name}@${start.version.version}`;
  const { spec, dirs } = source;
  const variants = await buildVariants({ ...spec, prompts: [pinned] }, scope, dirs, deps, {
    noCache: options.noCache,
  });
  const grader = spec.grader
    ? (({ settings }) => ({
        model: settings.model,
        maxTokens: settings.parameters.maxTokens ?? null,
      }))(buildGrader(spec.grader, scope, deps))
    : null;
  const cells = (cases: EvalCase[]) =>
    cases.map((item) => ({
      rendered: rendered(variants, item, count),
      graded: graded(item, count, variants.length),
    }));
  // The optimizer's request at its largest: the largest training cases shown as failed, each
  // with an answer and reasons as long as they are shown, the parent grown by a whole answer.
  const largest = [...train]
    .sort((a, b) => JSON.stringify(b.vars).length - JSON.stringify(a.vars).length)
    .slice(0, SHOWN_FAILURES)
    .map((item) => ({ id: item.id, vars: item.vars, output: '', reasons: [] }));
  const text = { body: start.version.body, system: start.version.system };
  const request = await optimizerCall(deps, plan, options, text, largest, []);
  // After the first round, rewrites already tried are shown too (each clipped as an answer).
  const tried =
    options.rounds > 1 ? Math.min(SHOWN_TRIED, options.candidates * (options.rounds - 1)) : 0;
  const optimizer: PlannedCalls = {
    model: request.settings.model,
    inputTokens:
      messageTokens(request.rendered.messages, count) +
      (largest.length + tried * 2) * (SHOWN_OUTPUT + SHOWN_REASONS) +
      OPTIMIZER_MAX_TOKENS,
    maxTokens: OPTIMIZER_MAX_TOKENS,
    count: options.rounds,
    structured: true,
  };
  const times = (plans: PlannedCalls[], n: number) =>
    plans.map((calls) => ({ ...calls, count: calls.count * n }));
  const plans = [
    ...measurementCalls(cells([...train, ...heldOut]), repeat, grader, 0),
    optimizer,
    ...times(
      measurementCalls(cells(train), repeat, grader, OPTIMIZER_MAX_TOKENS),
      options.rounds * options.candidates,
    ),
    ...measurementCalls(cells(heldOut), repeat, grader, OPTIMIZER_MAX_TOKENS),
  ];
  const prices = request.settings.pricing ?? {};
  const bound = estimate(plans, prices);
  if (options.maxCostUsd !== undefined && bound.unbounded.length > 0) {
    throw new ValidationError(
      `--max-cost needs a limit on every priced answer: ${bound.unbounded.join(', ')} set no max tokens`,
      {
        hint: "give maxTokens to the eval file's models and grader, or `prompt-runner config set maxTokens 1024`",
      },
    );
  }
  // The least a round can cost is its request to the optimizer with no failure shown.
  const bare = await optimizerCall(deps, plan, options, text, [], []);
  const least = new Budget({}, prices).worstCase({
    model: bare.settings.model,
    inputTokens: messageTokens(bare.rendered.messages, count),
    maxTokens: OPTIMIZER_MAX_TOKENS,
  });
  if (options.maxCostUsd !== undefined && options.maxCostUsd < least) {
    throw new ValidationError(
      `--max-cost ${options.maxCostUsd} cannot pay for one request to the optimizer (up to $${least.toFixed(6)})`,
      { hint: `raise --max-cost; --dry-run shows what the whole run may cost` },
    );
  }
  return { estimate: bound, prices };
}

/** A case's call for each variant, counted (none when it cannot be rendered: no call). */
function rendered(variants: Variant[], item: EvalCase, count: TokenCounter): RenderedCell[] {
  return variants.flatMap((variant) => {
    let call: PreparedCall;
    try {
      call = variant.prepare(item.vars, 0, extrasOf(item));
    } catch {
      return [];
    }
    return [
      {
        model: call.settings.model,
        inputTokens: messageTokens(call.rendered.messages, count),
        maxTokens: call.settings.parameters.maxTokens ?? null,
        structured: call.output !== undefined,
      },
    ];
  });
}

function graded(item: EvalCase, count: TokenCounter, variants: number): GradedCase {
  const judged = item.assert.filter((spec) =>
    GRADED_TYPES.includes(spec.type.replace(/^not-/, '')),
  );
  return {
    perAnswer: judged.filter((spec) => !isAcrossVariants(spec)).length,
    // select-best asks the grader only when there are answers to choose between.
    acrossVariants: variants > 1 ? judged.filter(isAcrossVariants).length : 0,
    criteriaTokens: Math.max(0, ...judged.map((spec) => count(JSON.stringify(spec.value ?? '')))),
  };
}

/**
 * Why a rewrite cannot be measured, if it cannot: a case it cannot be rendered for (a missing
 * partial, a media file outside the root, a block without its argument). No call is made.
 */
export async function renderProblem(
  deps: Deps,
  plan: Pick<OptimizePlan, 'scope' | 'start' | 'source' | 'train' | 'heldOut'>,
  text: PromptText,
): Promise<string | undefined> {
  const { scope, start, source, train, heldOut } = plan;
  const draft = { name: start.prompt.name, version: start.version.version, draft: text, label: '' };
  try {
    const variants = await buildVariants(source.spec, scope, source.dirs, deps, { draft });
    for (const item of [...train, ...heldOut]) {
      try {
        for (const variant of variants) variant.prepare(item.vars, 0, extrasOf(item));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return `cannot be rendered for case ${item.id}: ${error.message}`;
      }
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.message;
  }
  return undefined;
}

const extrasOf = (item: EvalCase) => (item.history ? { history: item.history } : undefined);
