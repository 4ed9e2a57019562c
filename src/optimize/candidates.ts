// The rewrites an optimizer model proposes for a prompt, and which of them may be measured.
// The model sees the prompt, the variables it declares and the training cases it failed,
// never a held-out case, and answers with K rewrites in a structured answer. A rewrite is
// refused when its text does not parse, when it drops a declared variable or uses one the
// prompt does not declare, or when it is empty or the same as its parent or another rewrite.
// Only the text (the body, and the system text when the prompt has one) is rewritten: the
// front matter (output schema, config, metadata) stays the parent's, so it cannot be lost.
import { analyzeTemplate } from '../core/templating/engine.js';

export interface FailedCase {
  id: string;
  vars: Record<string, unknown>;
  output: string | null;
  /** Why the answer failed: each failing assertion's reason. */
  reasons: string[];
}

/** A prompt's text: what a rewrite replaces. */
export interface PromptText {
  body: string;
  /** The system text kept apart, when the prompt has one. */
  system: string | null;
}

/** A rewrite of the same parent an earlier round tried, and what became of it. */
export interface TriedRewrite extends PromptText {
  id: string;
  /** Its training pass rate, or why it was refused or not measured. */
  outcome: string;
}

export interface OptimizerInput extends PromptText {
  variables: string[];
  failures: FailedCase[];
  candidates: number;
  /** Rewrites already tried from this parent: shown so that the next ones differ. */
  tried?: TriedRewrite[];
}

/** A rewrite as the optimizer gives it (the system text only when the prompt has one). */
export interface ProposedCandidate {
  body: string;
  system?: string | null;
  rationale: string;
}

/** A rewrite that may be measured, and its place among the proposals. */
export type Candidate = PromptText & { rationale: string; index: number };

export interface Refusal {
  index: number;
  reason: string;
}

/** The structured answer the optimizer model must give (a system text when it has one). */
export function answerSchema(withSystem = false): Record<string, unknown> {
  const text = {
    body: { type: 'string', description: 'the whole rewritten Handlebars template' },
    ...(withSystem
      ? { system: { type: 'string', description: 'the whole rewritten system text' } }
      : {}),
    rationale: { type: 'string', description: 'what changed, and which failures it fixes' },
  };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['candidates'],
    properties: {
      candidates: {
        type: 'array',
        minItems: 1,
        // More than asked for is not refused: the first `candidates` are taken.
        items: {
          type: 'object',
          additionalProperties: false,
          required: Object.keys(text),
          properties: text,
        },
      },
    },
  };
}

/** Failures shown to the optimizer at most; the rest are counted. */
export const SHOWN_FAILURES = 20;
/** Rewrites already tried shown at most (the latest). */
export const SHOWN_TRIED = 6;
/** A shown output is cut at this many characters, and the reasons of a case at these. */
export const SHOWN_OUTPUT = 2_000;
export const SHOWN_REASONS = 500;

/** The optimizer's messages: what to rewrite, and the training cases it failed. */
export function optimizerMessages(input: OptimizerInput): { system: string; user: string } {
  const system = [
    'You improve prompt templates. A template is Handlebars: {{name}} inserts a variable.',
    `Propose ${input.candidates} different rewrites of the template below that would make the failing cases pass without breaking the others.`,
    `Keep every variable it uses (${input.variables.map((v) => `{{${v}}}`).join(', ') || 'none'}) and add no other.`,
    ...(input.system === null
      ? []
      : ['It has a system text and a template: rewrite either or both, and give both.']),
    'Answer only with the JSON object asked for.',
  ].join('\n');
  const shown = input.failures
    .slice(0, SHOWN_FAILURES)
    .map((failure) =>
      [
        `### Case ${failure.id}`,
        `Variables: ${JSON.stringify(failure.vars)}`,
        `Answer: ${clip(failure.output ?? '(no answer)', SHOWN_OUTPUT)}`,
        `Failed because: ${clip(failure.reasons.join('; ') || 'the answer did not pass', SHOWN_REASONS)}`,
      ].join('\n'),
    );
  const more = input.failures.length - shown.length;
  const tried = (input.tried ?? [])
    .slice(-SHOWN_TRIED)
    .map((rewrite) =>
      [
        `### ${rewrite.id}: ${clip(rewrite.outcome, SHOWN_REASONS)}`,
        ...(rewrite.system === null
          ? []
          : ['System text:', '```handlebars', clip(rewrite.system, SHOWN_OUTPUT), '```']),
        '```handlebars',
        clip(rewrite.body, SHOWN_OUTPUT),
        '```',
      ].join('\n'),
    );
  const user = [
    ...(input.system === null ? [] : ['## System text', '```handlebars', input.system, '```', '']),
    '## Template',
    '```handlebars',
    input.body,
    '```',
    '',
    `## Failing cases (${input.failures.length})`,
    ...(shown.length > 0 ? shown : ['(none: make it more robust)']),
    ...(more > 0 ? [`…and ${more} more like these.`] : []),
    ...(tried.length > 0
      ? ['', '## Rewrites already tried: none beat the template; propose different ones', ...tried]
      : []),
  ].join('\n');
  return { system, user };
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/** The proposals that may be measured, and why each of the others was refused. */
export function checkCandidates(
  parent: PromptText & { variables: string[] },
  proposals: ProposedCandidate[],
  /** Rewrites of earlier rounds: measuring one again would tell nothing new. */
  tried: PromptText[] = [],
): { accepted: Candidate[]; refused: Refusal[] } {
  const accepted: Candidate[] = [];
  const refused: Refusal[] = [];
  const declared = new Set(parent.variables);
  const own = uses(parent);
  const seen = new Set([textKey(parent)]);
  const before = new Set(tried.map(textKey));
  for (const [index, raw] of proposals.entries()) {
    // A prompt without a system text keeps none; one with it keeps it unless rewritten.
    const proposal = {
      body: raw.body,
      system: parent.system === null ? null : (raw.system ?? parent.system),
      rationale: raw.rationale,
    };
    const reason = before.has(textKey(proposal))
      ? 'already tried in an earlier round'
      : refusal(proposal, declared, own, seen);
    if (reason) {
      refused.push({ index, reason });
      continue;
    }
    seen.add(textKey(proposal));
    accepted.push({ ...proposal, index });
  }
  return { accepted, refused };
}

const textKey = (text: PromptText) => `${text.system?.trim() ?? ''}\u0000${text.body.trim()}`;

function refusal(
  text: PromptText,
  declared: Set<string>,
  parent: Uses,
  seen: Set<string>,
): string | undefined {
  if (!text.body.trim()) return 'the template is empty';
  if (seen.has(textKey(text))) return 'the same as the parent or another candidate';
  let used: Uses;
  try {
    used = uses(text);
  } catch (error) {
    return (error as Error).message;
  }
  const added = [...used.variables].filter((name) => !declared.has(name));
  if (added.length > 0) return `uses undeclared variables: ${added.join(', ')}`;
  const dropped = [...declared].filter((name) => !used.variables.has(name));
  if (dropped.length > 0) return `drops declared variables: ${dropped.join(', ')}`;
  // A rewrite is text: it brings in no other prompt and no file the parent did not.
  const partials = [...used.partials].filter((name) => !parent.partials.has(name));
  if (partials.length > 0) return `includes prompts the prompt does not: ${partials.join(', ')}`;
  const media = [...used.media].filter((tag) => !parent.media.has(tag));
  if (media.length > 0) return 'adds media (`{{media …}}`) the prompt does not have';
  return undefined;
}

interface Uses {
  variables: Set<string>;
  partials: Set<string>;
  /** Each use of the `media` helper, by its arguments. */
  media: Set<string>;
}

/**
 * Every use of the `media` helper in a parsed template, as its arguments (in any form: a tag,
 * a block, a subexpression, `{{& …}}`, `{{[media] …}}`, an `else media …` branch).
 */
function mediaUses(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) mediaUses(item, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const { path, params, hash } = node as {
    path?: { parts?: unknown[] };
    params?: unknown;
    hash?: unknown;
  };
  if (path?.parts?.[0] === 'media') {
    found.add(
      JSON.stringify({ params, hash }, (key, value) =>
        key === 'loc' || key === 'strip' ? undefined : value,
      ),
    );
  }
  for (const value of Object.values(node)) mediaUses(value, found);
}

/** The variables, partials and media a text uses; throws when a part does not parse. */
function uses(text: PromptText): Uses {
  const found: Uses = { variables: new Set(), partials: new Set(), media: new Set() };
  for (const [part, source] of [
    ['template', text.body],
    ['system text', text.system],
  ] as const) {
    if (source === null) continue;
    let analysis: ReturnType<typeof analyzeTemplate>;
    try {
      analysis = analyzeTemplate(source);
    } catch (error) {
      throw new Error(`the ${part} does not parse: ${(error as Error).message}`);
    }
    for (const variable of analysis.variables) found.variables.add(variable.name);
    for (const partial of analysis.partials) found.partials.add(partial);
    mediaUses(analysis.program, found.media);
  }
  return found;
}
