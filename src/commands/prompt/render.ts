// JSON shapes and human output of prompt commands.
import type { Output } from '../../core/output.js';
import type { PromptRecord } from '../../db/repositories/prompt-repository.js';
import type { PromptScope, PromptView } from '../../services/prompt-service.js';
import { formatDate } from '../shared.js';

function projectOf(prompt: PromptRecord, scope: PromptScope): string | null {
  return prompt.projectId === null ? null : (scope.project?.name ?? null);
}

export function toPromptSummaryJson(prompt: PromptRecord, scope: PromptScope) {
  const latest = prompt.latest;
  return {
    id: prompt.id,
    name: prompt.name,
    project: projectOf(prompt, scope),
    description: prompt.description,
    category: prompt.category,
    tags: prompt.tags,
    version: latest.version,
    variables: latest.variables,
    model: latest.model,
    createdAt: prompt.createdAt.toISOString(),
    updatedAt: prompt.updatedAt.toISOString(),
  };
}

export function toPromptJson(view: PromptView, scope: PromptScope) {
  const { prompt, version } = view;
  return {
    ...toPromptSummaryJson(prompt, scope),
    version: version.version,
    versions: prompt.versionCount,
    body: version.body,
    system: version.system,
    variables: version.variables,
    model: version.model,
    parameters: version.parameters,
    message: version.message,
    versionCreatedAt: version.createdAt.toISOString(),
    /** The label the version was named by (`name@production`), if any. */
    label: view.label ?? null,
    labels: prompt.labels.map((l) => ({ label: l.name, version: l.version })),
  };
}

export type PromptJson = ReturnType<typeof toPromptJson>;

export function variableNames(variables: { name: string; required: boolean }[]): string {
  return variables.map((v) => (v.required ? v.name : `${v.name}?`)).join(', ');
}

export function printPromptTable(
  output: Output,
  prompts: ReturnType<typeof toPromptSummaryJson>[],
) {
  if (prompts.length === 0) {
    output.info('No prompts yet. Create one: prompt-runner prompt create <name> --file prompt.hbs');
    return;
  }
  output.table(
    ['Name', 'Version', 'Variables', 'Description', 'Updated'],
    prompts.map((p) => [
      p.project === null ? `${p.name} ${output.style.dim('(global)')}` : p.name,
      `v${p.version}`,
      variableNames(p.variables),
      (p.description ?? '').split('\n')[0],
      formatDate(p.updatedAt),
    ]),
  );
}

export function printPromptDetails(output: Output, prompt: PromptJson): void {
  const params = Object.entries(prompt.parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  output.fields([
    ['Name', prompt.name],
    ['Project', prompt.project ?? '(global)'],
    [
      'Version',
      `${prompt.version} of ${prompt.versions}${prompt.label ? ` (${prompt.label})` : ''}`,
    ],
    ['Labels', prompt.labels.map((l) => `${l.label} → v${l.version}`).join(', ')],
    ['Description', prompt.description],
    ['Model', prompt.model],
    ['Parameters', params.join(' ')],
    ['Tags', prompt.tags.join(', ')],
    ['Variables', variableNames(prompt.variables)],
    ['Message', prompt.message],
    ['Created', formatDate(prompt.versionCreatedAt)],
  ]);
  if (prompt.system !== null) {
    output.info(`\n${output.style.heading('System')}`);
    output.text(prompt.system);
  }
  output.info(`\n${output.style.heading('Body')}`);
  output.text(prompt.body);
}
