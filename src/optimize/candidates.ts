// The rewrites an optimizer model proposes for a prompt, and which of them may be measured.
// The model sees the prompt, the variables it declares and the training cases it failed,
// never a held-out case, and answers with K rewrites in a structured answer. A rewrite is
// refused when its template does not parse, when it drops a declared variable or uses one the
// prompt does not declare, or when it is empty or the same as its parent or another rewrite.
// Only the text is rewritten: the front matter (output schema, config, metadata) stays the
// parent's, so it cannot be lost.
import { analyzeTemplate } from '../core/templating/engine.js';

export interface FailedCase {
  id: string;
  vars: Record<string, unknown>;
  output: string | null;
  /** Why the answer failed: each failing assertion's reason. */
  reasons: string[];
}

export interface OptimizerInput {
  /** The parent's text (its body, the system text first when it has one). */
  body: string;
  variables: string[];
  failures: FailedCase[];
  candidates: number;
}

export interface ProposedCandidate {
  body: string;
  rationale: string;
}

export interface Refusal {
  index: number;
  reason: string;
}

/** The structured answer the optimizer model must give. */
export function answerSchema(candidates: number): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['candidates'],
    properties: {
      candidates: {
        type: 'array',
        minItems: 1,
        maxItems: candidates,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['body', 'rationale'],
          properties: {
            body: { type: 'string', description: 'the whole rewritten Handlebars template' },
            rationale: { type: 'string', description: 'what changed, and which failures it fixes' },
          },
        },
      },
    },
  };
}

/** Failures shown to the optimizer at most; the rest are counted. */
const SHOWN_FAILURES = 20;
/** A shown output is cut at this many characters. */
const SHOWN_OUTPUT = 2_000;

/** The optimizer's messages: what to rewrite, and the training cases it failed. */
export function optimizerMessages(input: OptimizerInput): { system: string; user: string } {
  const system = [
    'You improve prompt templates. A template is Handlebars: {{name}} inserts a variable.',
    `Propose ${input.candidates} different rewrites of the template below that would make the failing cases pass without breaking the others.`,
    `Keep every variable it uses (${input.variables.map((v) => `{{${v}}}`).join(', ') || 'none'}) and add no other.`,
    'Answer only with the JSON object asked for.',
  ].join('\n');
  const shown = input.failures
    .slice(0, SHOWN_FAILURES)
    .map((failure) =>
      [
        `### Case ${failure.id}`,
        `Variables: ${JSON.stringify(failure.vars)}`,
        `Answer: ${clip(failure.output ?? '(no answer)')}`,
        `Failed because: ${failure.reasons.join('; ') || 'the answer did not pass'}`,
      ].join('\n'),
    );
  const more = input.failures.length - shown.length;
  const user = [
    '## Template',
    '```handlebars',
    input.body,
    '```',
    '',
    `## Failing cases (${input.failures.length})`,
    ...(shown.length > 0 ? shown : ['(none: make it more robust)']),
    ...(more > 0 ? [`…and ${more} more like these.`] : []),
  ].join('\n');
  return { system, user };
}

function clip(text: string): string {
  return text.length > SHOWN_OUTPUT ? `${text.slice(0, SHOWN_OUTPUT)}…` : text;
}

/** The proposals that may be measured, and why each of the others was refused. */
export function checkCandidates(
  parent: { body: string; variables: string[] },
  proposals: ProposedCandidate[],
): { accepted: ProposedCandidate[]; refused: Refusal[] } {
  const accepted: ProposedCandidate[] = [];
  const refused: Refusal[] = [];
  const declared = new Set(parent.variables);
  const seen = new Set([parent.body.trim()]);
  for (const [index, proposal] of proposals.entries()) {
    const reason = refusal(proposal.body, declared, seen);
    if (reason) {
      refused.push({ index, reason });
      continue;
    }
    seen.add(proposal.body.trim());
    accepted.push(proposal);
  }
  return { accepted, refused };
}

function refusal(body: string, declared: Set<string>, seen: Set<string>): string | undefined {
  if (!body.trim()) return 'the template is empty';
  if (seen.has(body.trim())) return 'the same as the parent or another candidate';
  let used: Set<string>;
  try {
    used = new Set(analyzeTemplate(body).variables.map((variable) => variable.name));
  } catch (error) {
    return `the template does not parse: ${(error as Error).message}`;
  }
  const added = [...used].filter((name) => !declared.has(name));
  if (added.length > 0) return `uses undeclared variables: ${added.join(', ')}`;
  const dropped = [...declared].filter((name) => !used.has(name));
  if (dropped.length > 0) return `drops declared variables: ${dropped.join(', ')}`;
  return undefined;
}
