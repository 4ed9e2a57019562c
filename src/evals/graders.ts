// Model-graded assertions: a grader model (any OpenAI-compatible one the eval file names)
// judges an answer against a rubric (`llm-rubric`) or a reference answer (`factuality`) and
// answers `{pass, score, reason}`, which is checked before it counts.
import * as z from '../core/zod.js';

export interface GraderCall {
  system: string;
  user: string;
}

/** Sends a grader's prompt; resolves with its answer. */
export type Grade = (call: GraderCall) => Promise<string>;

const ANSWER_SHAPE =
  'Answer with one JSON object and nothing else: {"pass": true or false, "score": a number from 0 to 1, "reason": "one sentence"}.';

export function rubricCall(rubric: string, output: string): GraderCall {
  return {
    system: `You grade the output of another model against a rubric. Judge only what the rubric asks. ${ANSWER_SHAPE}`,
    user: `<rubric>\n${rubric}\n</rubric>\n\n<output>\n${output}\n</output>`,
  };
}

export function factualityCall(reference: string, output: string, question: string): GraderCall {
  return {
    system: `You check whether an answer agrees with a reference answer on the facts. Differences of wording, style or detail that do not contradict the reference pass; a missing or contradicted fact fails. ${ANSWER_SHAPE}`,
    user: `<question>\n${question}\n</question>\n\n<reference>\n${reference}\n</reference>\n\n<answer>\n${output}\n</answer>`,
  };
}

const verdictSchema = z.object({
  pass: z.boolean(),
  score: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  reason: z.optional(z.string()),
});

/** The grader's verdict, or why its answer is not one. */
export async function parseVerdict(
  text: string,
): Promise<{ pass: boolean; score: number; reason: string }> {
  const { jsonrepair } = await import('jsonrepair');
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  let value: unknown;
  try {
    value = JSON.parse(jsonrepair(start >= 0 && end > start ? text.slice(start, end + 1) : text));
  } catch {
    throw new Error(`the grader did not answer JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const verdict = verdictSchema.safeParse(value);
  if (!verdict.success) {
    throw new Error(`the grader's answer is not {pass, score, reason}: ${JSON.stringify(value)}`);
  }
  const { pass, score, reason } = verdict.data;
  return { pass, score: score ?? (pass ? 1 : 0), reason: reason ?? 'no reason given' };
}

/**
 * Asks which of several answers best meets `criteria`. The answers are shown in an order
 * shuffled by `seed` (so no variant wins by coming first, and a run is repeatable); the
 * verdict names the position chosen.
 */
export function selectBestCall(
  criteria: string,
  outputs: string[],
  seed: string,
): {
  call: GraderCall;
  order: number[];
} {
  const order = shuffled(outputs.length, seed);
  const listed = order.map(
    (index, position) => `<answer ${position + 1}>\n${outputs[index]}\n</answer ${position + 1}>`,
  );
  return {
    order,
    call: {
      system: `You compare several answers to the same request and choose the one that best meets the criteria. Answer with one JSON object and nothing else: {"best": the number of the best answer, "reason": "one sentence"}.`,
      user: `<criteria>\n${criteria}\n</criteria>\n\n${listed.join('\n\n')}`,
    },
  };
}

/** The index (into `order`'s positions) the grader chose, or why its answer is not a choice. */
export async function parseChoice(
  text: string,
  count: number,
): Promise<{ best: number; reason: string }> {
  const { jsonrepair } = await import('jsonrepair');
  let value: { best?: unknown; reason?: unknown };
  try {
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    value = JSON.parse(jsonrepair(start >= 0 && end > start ? text.slice(start, end + 1) : text));
  } catch {
    throw new Error(`the grader did not answer JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const best = Number(value?.best);
  if (!Number.isInteger(best) || best < 1 || best > count) {
    throw new Error(
      `the grader's answer names no answer from 1 to ${count}: ${JSON.stringify(value)}`,
    );
  }
  return {
    best: best - 1,
    reason: typeof value.reason === 'string' ? value.reason : 'no reason given',
  };
}

/** 0…n-1 in an order fixed by `seed` (a Fisher–Yates shuffle over a hash of it). */
function shuffled(n: number, seed: string): number[] {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}
