import type { Output } from '../../core/output.js';
import type { ProjectRecord } from '../../db/repositories/project-repository.js';
import { formatDate, plural } from '../shared.js';

export interface ProjectJson {
  id: number;
  name: string;
  description: string | null;
  rootPath: string | null;
  defaultModel: string | null;
  current: boolean;
  counts: { prompts: number; workflows: number; sessions: number };
  createdAt: string;
  updatedAt: string;
}

export function toProjectJson(project: ProjectRecord, currentName?: string): ProjectJson {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    rootPath: project.rootPath,
    defaultModel: project.defaultModel,
    current: project.name === currentName,
    counts: project.counts,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

export function printProjectTable(output: Output, projects: ProjectJson[]): void {
  if (projects.length === 0) {
    output.info('No projects yet. Create one: prompt-runner project create <name> --root .');
    return;
  }
  output.table(
    ['', 'Name', 'Description', 'Prompts', 'Workflows', 'Sessions', 'Model', 'Updated'],
    projects.map((p) => [
      p.current ? output.style.success('*') : '',
      p.name,
      truncate(p.description ?? '', 40),
      p.counts.prompts,
      p.counts.workflows,
      p.counts.sessions,
      p.defaultModel,
      formatDate(p.updatedAt),
    ]),
  );
}

export function printProjectDetails(output: Output, project: ProjectJson): void {
  output.fields([
    ['Name', project.current ? `${project.name} (current)` : project.name],
    ['Description', project.description],
    ['Root', project.rootPath],
    ['Model', project.defaultModel],
    ['Prompts', project.counts.prompts],
    ['Workflows', project.counts.workflows],
    ['Sessions', project.counts.sessions],
    ['Created', formatDate(project.createdAt)],
    ['Updated', formatDate(project.updatedAt)],
  ]);
}

export function describeContents(counts: ProjectJson['counts']): string {
  return [
    plural(counts.prompts, 'prompt'),
    plural(counts.workflows, 'workflow'),
    plural(counts.sessions, 'session'),
  ].join(', ');
}

function truncate(text: string, width: number): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
