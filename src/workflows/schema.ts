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
