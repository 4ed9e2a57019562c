// The workflow file: YAML checked with zod. Semantic checks (references, cycles, stored
// prompts) are in validate.ts.
import * as z from '../core/zod.js';

const parameters = {
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(2))),
  maxTokens: z.optional(z.int().check(z.positive())),
  topP: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  seed: z.optional(z.int()),
  stop: z.optional(z.array(z.string())),
};

export const INPUT_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;

const inputSchema = z.object({
  type: z.optional(z.enum(INPUT_TYPES)),
  required: z.optional(z.boolean()),
  default: z.optional(z.unknown()),
  description: z.optional(z.string()),
});

const stepIdSchema = z
  .string()
  .check(
    z.regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a step id starts with a letter: letters, digits, _ and -'),
  );

const stepSchema = z.object({
  id: stepIdSchema,
  prompt: z.optional(z.string().check(z.minLength(1))),
  template: z.optional(z.string().check(z.minLength(1))),
  /** Variables for a stored prompt, each a template over inputs and steps. */
  vars: z.optional(z.record(z.string(), z.string())),
  system: z.optional(z.string()),
  model: z.optional(z.string().check(z.minLength(1))),
  ...parameters,
  depends_on: z.optional(z.array(stepIdSchema)),
  output: z.optional(z.enum(['text', 'json'])),
  schema: z.optional(z.record(z.string(), z.unknown())),
  /**
   * Earlier turns for a stored prompt's `{{history}}`: a list of messages, or a template that
   * renders to their JSON (`"{{json inputs.chat}}"`).
   */
  history: z.optional(
    z.union([z.string(), z.array(z.unknown())], {
      error: 'a list of messages, or a template that renders them as JSON',
    }),
  ),
  retry: z.optional(
    z.object({
      attempts: z.int().check(z.minimum(1), z.maximum(10)),
      backoffMs: z.optional(z.int().check(z.minimum(0), z.maximum(600_000))),
    }),
  ),
});

export const workflowFileSchema = z.object({
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  inputs: z.optional(z.record(z.string(), inputSchema)),
  model: z.optional(z.string().check(z.minLength(1))),
  ...parameters,
  steps: z.array(stepSchema).check(z.minLength(1, 'a workflow needs at least one step')),
  outputs: z.optional(z.record(z.string(), z.string())),
});

export type WorkflowFile = z.output<typeof workflowFileSchema>;
export type WorkflowStep = WorkflowFile['steps'][number];
export type WorkflowInput = NonNullable<WorkflowFile['inputs']>[string];
export type InputType = (typeof INPUT_TYPES)[number];

/** "a string", "an object": an input type in a sentence. */
export function withArticle(type: InputType): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * The parts of a file that pass their own schema, so that a file with structural problems
 * still gets its other checks: steps keep their positions (a sparse array), inputs and
 * outputs their names (a step or input keeps the fields that pass). `stepIds` are the ids
 * of every step, broken ones included.
 */
export function salvageWorkflowFile(raw: unknown): {
  file: WorkflowFile;
  stepIds: Set<string>;
  /** The fields left out of each step, by position. */
  dropped: Map<number, Set<PropertyKey>>;
} {
  const object = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const source = object(raw);
  const steps: WorkflowStep[] = [];
  const stepIds = new Set<string>();
  const dropped = new Map<number, Set<PropertyKey>>();
  if (Array.isArray(source.steps)) {
    source.steps.forEach((candidate, index) => {
      const id = object(candidate).id;
      if (typeof id === 'string') stepIds.add(id);
      const step = withoutBadFields(stepSchema, candidate);
      if (step) steps[index] = step.data;
      if (step?.dropped.size) dropped.set(index, step.dropped);
    });
  }
  const inputs: Record<string, WorkflowInput> = {};
  for (const [name, candidate] of Object.entries(object(source.inputs))) {
    const input = withoutBadFields(inputSchema, candidate);
    if (input) inputs[name] = input.data;
  }
  const outputs = Object.fromEntries(
    Object.entries(object(source.outputs)).filter(([, value]) => typeof value === 'string'),
  ) as Record<string, string>;
  return { file: { name: String(source.name ?? ''), inputs, steps, outputs }, stepIds, dropped };
}

/** An object parsed by `schema` once the fields it refuses are left out; null if it still fails. */
function withoutBadFields<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
): { data: z.output<S>; dropped: Set<PropertyKey> } | null {
  const first = schema.safeParse(value);
  if (first.success) return { data: first.data, dropped: new Set() };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const dropped = new Set(first.error.issues.flatMap((issue) => issue.path.slice(0, 1)));
  const kept = Object.fromEntries(Object.entries(value).filter(([key]) => !dropped.has(key)));
  const second = schema.safeParse(kept);
  return second.success ? { data: second.data, dropped } : null;
}
