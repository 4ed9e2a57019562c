// The stored prompts a workflow file's steps name (`name`, `name@3`, `name@production`),
// looked up once so that the validator can report a missing prompt, version or label, and the
// variables a step must give, beside every other problem of the file.
import { parse } from 'yaml';
import { AppError } from '../core/errors.js';
import type { PromptMetadata } from '../db/repositories/prompt-repository.js';
import type { ValidateOptions } from '../workflows/validate.js';
import { type PromptRef, parsePromptRef } from './prompt-ref.js';
import type { PromptScope, PromptService } from './prompt-service.js';

export async function checkPromptReferences(
  text: string,
  scope: PromptScope,
  prompts: PromptService,
): Promise<ValidateOptions> {
  const stored = new Map((await prompts.list(scope, { all: true })).map((p) => [p.name, p]));
  const checked = new Map<
    string,
    { problem?: string; requires?: string[]; structured?: boolean }
  >();
  for (const reference of promptReferences(text)) {
    let ref: PromptRef;
    try {
      ref = parsePromptRef(reference);
    } catch (error) {
      checked.set(reference, { problem: (error as Error).message });
      continue;
    }
    const prompt = stored.get(ref.name);
    if (!prompt) {
      checked.set(reference, { problem: `no stored prompt "${ref.name}"` });
      continue;
    }
    try {
      const { version } =
        ref.version === undefined && !ref.label
          ? { version: prompt.latest }
          : await prompts.get(scope, reference);
      checked.set(reference, {
        requires: version.variables
          .filter((v) => v.required && v.default === undefined)
          .map((v) => v.name),
        structured: isStructured(version.metadata),
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      checked.set(reference, {
        problem: `${error.message}${error.hint ? ` (${error.hint})` : ''}`,
      });
    }
  }
  return {
    promptProblem: (reference) => checked.get(reference)?.problem,
    promptRequires: (reference) => checked.get(reference)?.requires,
    promptStructured: (reference) => checked.get(reference)?.structured === true,
  };
}

/** A version whose answer is JSON: `output.format: json`, or a schema without a format. */
function isStructured(metadata: PromptMetadata): boolean {
  const output = metadata.output as { format?: unknown; schema?: unknown } | undefined;
  return (
    output?.format === 'json' || (output?.format === undefined && output?.schema !== undefined)
  );
}

/** The `prompt:` of every step, read leniently (the validator reports what is malformed). */
function promptReferences(text: string): Set<string> {
  let steps: unknown;
  try {
    steps = (parse(text, { logLevel: 'silent' }) as { steps?: unknown } | null)?.steps;
  } catch {
    steps = undefined;
  }
  const references = new Set<string>();
  if (!Array.isArray(steps)) return references;
  for (const step of steps) {
    const prompt = (step as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt === 'string' && prompt.length > 0) references.add(prompt);
  }
  return references;
}
