// Helpers of workflow runs: the values templates see, parameters, process liveness.
import { createHash } from 'node:crypto';
import type { PromptParameters } from '../db/repositories/prompt-repository.js';
import type { StepContext } from './engine.js';

const PARAMETER_KEYS = ['temperature', 'maxTokens', 'topP', 'seed', 'stop'] as const;

export function parametersOf(
  source: Partial<Record<(typeof PARAMETER_KEYS)[number], unknown>>,
): PromptParameters {
  const parameters: Record<string, unknown> = {};
  for (const key of PARAMETER_KEYS) if (source[key] !== undefined) parameters[key] = source[key];
  return parameters as PromptParameters;
}

/** A json step's output renders as JSON text in `{{steps.x.output}}`; its fields stay readable. */
function asTemplateValue(output: unknown): unknown {
  if (output === null || typeof output !== 'object') return output;
  const copy = Array.isArray(output) ? [...output] : { ...output };
  Object.defineProperty(copy, 'toString', { value: () => JSON.stringify(output, null, 2) });
  return copy;
}

export function templateContext(context: StepContext) {
  const steps = Object.fromEntries(
    Object.entries(context.steps).map(([id, step]) => [
      id,
      { output: asTemplateValue(step.output) },
    ]),
  );
  return { inputs: context.inputs, steps };
}

export function definitionHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether the process that owns a run is still alive (same machine). */
export function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
