// The three phase templates: built-in defaults (files beside this module's source), which a
// project or the global scope can override with prompts of category `__orchestration__`.
// Resolution: project → global → built-in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, ValidationError } from '../core/errors.js';
import { findPackageRoot } from '../core/package-root.js';
import { analyzeTemplate } from '../core/templating/engine.js';
import type { PromptScope, PromptService } from '../services/prompt-service.js';
import { ORCHESTRATION_CATEGORY } from './constants.js';

export const PHASES = ['orchestrator', 'analysis', 'implementation'] as const;
export type Phase = (typeof PHASES)[number];

/** The variables each phase template is rendered with (`project` has name, description, rootPath). */
export const PHASE_VARIABLES = {
  orchestrator: ['featureRequest', 'project', 'fileTree', 'repoMap'],
  analysis: ['featureRequest', 'project', 'fileTree', 'repoMap', 'codebaseContext'],
  implementation: [
    'featureRequest',
    'project',
    'analysisResults',
    'complexity',
    'timeEstimate',
    'executionNotes',
  ],
} as const satisfies Record<Phase, readonly string[]>;

export function templatePromptName(phase: Phase): string {
  return `orchestration-${phase}`;
}

export function builtInTemplate(phase: Phase): string {
  return readFileSync(
    join(findPackageRoot(), 'src', 'orchestration', 'templates', `${phase}.hbs`),
    'utf8',
  );
}

export interface ResolvedTemplate {
  phase: Phase;
  source: 'project' | 'global' | 'built-in';
  body: string;
  version: number | null;
}

/** The scope's override of a phase template: a prompt of the orchestration category. */
async function findOverride(prompts: PromptService, scope: PromptScope, phase: Phase) {
  const prompt = await prompts.findInScope(scope, templatePromptName(phase));
  return prompt?.category === ORCHESTRATION_CATEGORY ? prompt : null;
}

export async function resolveTemplate(
  prompts: PromptService,
  scope: PromptScope,
  phase: Phase,
): Promise<ResolvedTemplate> {
  if (scope.project) {
    const own = await findOverride(prompts, scope, phase);
    if (own)
      return { phase, source: 'project', body: own.latest.body, version: own.latest.version };
  }
  const global = await findOverride(prompts, { project: null }, phase);
  if (global)
    return { phase, source: 'global', body: global.latest.body, version: global.latest.version };
  return { phase, source: 'built-in', body: builtInTemplate(phase), version: null };
}

/** Stores an override (a new version when one exists). */
export async function setTemplate(
  prompts: PromptService,
  scope: PromptScope,
  phase: Phase,
  body: string,
) {
  const provided: readonly string[] = PHASE_VARIABLES[phase];
  const analysis = analyzeTemplate(body, `${phase} template`);
  // Phases render their templates on their own, without the project's prompts.
  if (analysis.partials.length > 0) {
    throw new ValidationError(
      `The ${phase} template includes other prompts (${analysis.partials.map((p) => `{{> ${p}}}`).join(', ')}): a phase template cannot`,
      { hint: 'put their text in the template itself' },
    );
  }
  const unknown = analysis.variables
    .map((v) => v.name)
    .filter((variable) => !provided.includes(variable));
  if (unknown.length > 0) {
    throw new ValidationError(
      `The ${phase} template uses variables its phase does not provide: ${unknown.join(', ')}`,
      { hint: `it is rendered with ${provided.join(', ')}` },
    );
  }
  const name = templatePromptName(phase);
  const existing = await prompts.findInScope(scope, name);
  if (existing && existing.category !== ORCHESTRATION_CATEGORY) {
    throw new ConflictError(`A prompt named "${name}" already exists and is not a phase template`, {
      hint: 'rename or delete that prompt first',
    });
  }
  if (existing) return (await prompts.update(scope, name, { body })).version;
  const created = await prompts.create(scope, name, {
    body,
    category: ORCHESTRATION_CATEGORY,
    description: `The ${phase} phase template of feature orchestration`,
  });
  return created.version;
}

/** Removes the override of the scope; returns whether there was one. */
export async function resetTemplate(
  prompts: PromptService,
  scope: PromptScope,
  phase: Phase,
): Promise<boolean> {
  const existing = await findOverride(prompts, scope, phase);
  if (!existing) return false;
  await prompts.delete(scope, existing.name);
  return true;
}
