// A prompt version's variable list: what its templates use, with what was declared for them.
import { analyzeTemplate } from '../core/templating/engine.js';
import type { VariableSpec } from '../db/repositories/prompt-repository.js';

/** Declared variables first (their order kept), then the ones found only in the templates. */
export function buildVariables(
  templates: { body: string; system?: string | null },
  declared: VariableSpec[] = [],
): VariableSpec[] {
  const found = new Map<string, boolean>();
  const sources: [string, string][] = [['body', templates.body]];
  if (templates.system) sources.push(['system', templates.system]);
  for (const [part, source] of sources) {
    for (const use of analyzeTemplate(source, part).variables) {
      found.set(use.name, (found.get(use.name) ?? false) || use.required);
    }
  }
  const specs = declared.map((spec) => ({ ...spec }));
  const declaredNames = new Set(specs.map((spec) => spec.name));
  for (const [name, required] of found) {
    if (!declaredNames.has(name)) specs.push({ name, required });
  }
  return specs;
}

/** Values for a render: declared defaults, overridden by what the caller gave. */
export function withDefaults(
  specs: VariableSpec[],
  given: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const spec of specs) if (spec.default !== undefined) values[spec.name] = spec.default;
  return Object.assign(values, given);
}
