// Labels and diffs of prompt versions. A label (`production`, `staging`, any name) points at
// one version and moves; every move is kept. A diff compares two versions (or the versions
// two labels point at) as a unified diff of their text and settings.
import { NotFoundError, ValidationError } from '../core/errors.js';
import type {
  LabelMove,
  PromptLabelRecord,
  PromptRepository,
  PromptVersionRecord,
} from '../db/repositories/prompt-repository.js';
import { formatPromptRef, parseSelector, validateLabel, whatExists } from './prompt-ref.js';
import type { PromptScope, PromptService } from './prompt-service.js';

export interface LabelChange {
  prompt: string;
  label: string;
  /** The version the label points at now (null: deleted). */
  version: number | null;
  /** The version it pointed at before (null: it did not exist). */
  previous: number | null;
}

export interface PromptLabels {
  prompt: string;
  labels: PromptLabelRecord[];
  history: LabelMove[];
}

export interface DiffSide {
  /** The reference as written (`summarize@2`, `summarize@production`). */
  ref: string;
  version: number;
  label: string | null;
}

export interface PromptDiff {
  prompt: string;
  from: DiffSide;
  to: DiffSide;
  /** False when the two versions are the same in text and settings. */
  changed: boolean;
  /** A unified diff of the text the versions are shown as (`prompt diff` prints it). */
  patch: string;
}

export interface VersionSummary {
  version: number;
  createdAt: Date;
  message: string | null;
  linesAdded: number;
  linesRemoved: number;
  /** The labels that point at this version. */
  labels: string[];
}

export interface PromptHistoryDeps {
  prompts: PromptService;
  repository: PromptRepository;
}

export class PromptHistoryService {
  constructor(private readonly deps: PromptHistoryDeps) {}

  /** Every version, with its note, its line changes from the one before and its labels. */
  async versions(scope: PromptScope, name: string): Promise<VersionSummary[]> {
    const prompt = await this.deps.prompts.find(scope, name);
    const versions = await this.deps.repository.versions(prompt.id);
    const { diffLines } = await import('diff');
    return versions.map((version, index) => {
      const previous = versions[index - 1];
      let linesAdded = 0;
      let linesRemoved = 0;
      for (const part of diffLines(previous ? fullText(previous) : '', fullText(version))) {
        if (part.added) linesAdded += part.count ?? 0;
        if (part.removed) linesRemoved += part.count ?? 0;
      }
      return {
        version: version.version,
        createdAt: version.createdAt,
        message: version.message,
        linesAdded,
        linesRemoved,
        labels: prompt.labels.filter((l) => l.version === version.version).map((l) => l.name),
      };
    });
  }

  /** Points `label` at `version` (the latest without one). */
  async setLabel(
    scope: PromptScope,
    name: string,
    label: string,
    version?: number,
  ): Promise<LabelChange> {
    validateLabel(label);
    const prompt = await this.deps.prompts.findOwn(scope, name);
    const target = version ?? prompt.latest.version;
    if (!(await this.deps.repository.version(prompt.id, target))) {
      throw new NotFoundError(`Prompt "${prompt.name}" has no version ${target}`, {
        hint: whatExists(prompt),
      });
    }
    const previous = prompt.labels.find((l) => l.name === label)?.version ?? null;
    await this.deps.repository.setLabel(prompt.id, label, target);
    return { prompt: prompt.name, label, version: target, previous };
  }

  async deleteLabel(scope: PromptScope, name: string, label: string): Promise<LabelChange> {
    const prompt = await this.deps.prompts.findOwn(scope, name);
    const previous = prompt.labels.find((l) => l.name === label)?.version ?? null;
    if (previous === null || !(await this.deps.repository.deleteLabel(prompt.id, label))) {
      throw new NotFoundError(`Prompt "${prompt.name}" has no label "${label}"`, {
        hint: whatExists(prompt),
      });
    }
    return { prompt: prompt.name, label, version: null, previous };
  }

  /** The labels and every move of them. */
  async labels(scope: PromptScope, name: string): Promise<PromptLabels> {
    const prompt = await this.deps.prompts.find(scope, name);
    return {
      prompt: prompt.name,
      labels: prompt.labels,
      history: await this.deps.repository.labelHistory(prompt.id),
    };
  }

  /**
   * `from` and `to` are versions (`2`, `v2`), labels or `latest`; without them, the version
   * before the latest and the latest.
   */
  async diff(scope: PromptScope, name: string, from?: string, to?: string): Promise<PromptDiff> {
    const prompt = await this.deps.prompts.find(scope, name);
    const latest = prompt.latest.version;
    if (from === undefined && latest === 1) {
      throw new ValidationError(`Prompt "${prompt.name}" has one version: nothing to compare`, {
        hint: `change it with \`prompt-runner prompt update ${prompt.name}\``,
      });
    }
    const side = async (selector: string) => {
      const ref = formatPromptRef({ name: prompt.name, ...parseSelector(selector) });
      const view = await this.deps.prompts.get(scope, ref);
      return { ref, version: view.version, label: view.label ?? null };
    };
    const a = await side(from ?? String(latest - 1));
    const b = await side(to ?? 'latest');
    const { createTwoFilesPatch } = await import('diff');
    const before = versionText(a.version);
    const after = versionText(b.version);
    const patch = createTwoFilesPatch(a.ref, b.ref, before, after, undefined, undefined, {
      context: 3,
    });
    return {
      prompt: prompt.name,
      from: { ref: a.ref, version: a.version.version, label: a.label },
      to: { ref: b.ref, version: b.version.version, label: b.label },
      changed: before !== after,
      // The header line of `diff`'s own format (`Index:`, `=====`) says nothing here.
      patch: patch.replace(/^=+\n/m, '').replace(/^Index:.*\n/m, ''),
    };
  }
}

/** A version as the text a diff compares: the system text, the body, then the settings. */
export function versionText(version: PromptVersionRecord): string {
  const lines = ['## system', version.system ?? '(none)', '', '## body', version.body, ''];
  lines.push('## settings', `model: ${version.model ?? '(default)'}`);
  for (const [key, value] of Object.entries(version.parameters).sort()) {
    lines.push(`${key}: ${JSON.stringify(value)}`);
  }
  for (const variable of version.variables) {
    const details = [
      variable.required ? 'required' : 'optional',
      ...(variable.default !== undefined ? [`default ${JSON.stringify(variable.default)}`] : []),
      ...(variable.description ? [variable.description] : []),
    ];
    lines.push(`variable ${variable.name}: ${details.join(', ')}`);
  }
  // The rest of the front matter (output schema, tools, extension fields), one key a line.
  for (const [key, value] of Object.entries(version.metadata).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    lines.push(`${key}: ${JSON.stringify(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function fullText(version: PromptVersionRecord): string {
  const body = version.body.endsWith('\n') ? version.body : `${version.body}\n`;
  return version.system === null ? body : `${version.system}\n${body}`;
}
