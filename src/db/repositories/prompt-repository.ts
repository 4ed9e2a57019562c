import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { withBusyRetry } from '../busy.js';
import { isUniqueViolation } from '../errors.js';

export interface VariableSpec {
  name: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

/** Model parameters a prompt version may fix. */
export interface PromptParameters {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  /** Other request fields (a `.prompt` file's other `config` keys), sent as given. */
  extra?: Record<string, unknown>;
}

/**
 * The `.prompt` front matter beyond the columns: `input.schema` as written, `output`,
 * `tools`, `variant`, extension fields and any other key, in the file's order.
 */
export type PromptMetadata = Record<string, unknown>;

export interface PromptVersionRecord {
  id: number;
  promptId: number;
  version: number;
  body: string;
  system: string | null;
  variables: VariableSpec[];
  model: string | null;
  parameters: PromptParameters;
  metadata: PromptMetadata;
  message: string | null;
  createdAt: Date;
}

export interface PromptRecord {
  id: number;
  projectId: number | null;
  name: string;
  description: string | null;
  category: string | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  latest: PromptVersionRecord;
  versionCount: number;
  /** Labels and the version each points at, by name. */
  labels: PromptLabelRecord[];
}

export interface PromptLabelRecord {
  name: string;
  version: number;
}

/** A move of a label: the version it pointed at from `at` on (null: deleted). */
export interface LabelMove {
  label: string;
  version: number | null;
  at: Date;
}

export interface PromptData {
  projectId: number | null;
  name: string;
  description?: string | null;
  category?: string | null;
  tags?: string[];
}

export interface VersionData {
  body: string;
  system?: string | null;
  variables: VariableSpec[];
  model?: string | null;
  parameters?: PromptParameters;
  metadata?: PromptMetadata;
  message?: string | null;
}

const withLatest = {
  versions: { orderBy: { version: 'desc' }, take: 1 },
  labels: { select: { name: true, version: true }, orderBy: { name: 'asc' } },
  _count: { select: { versions: true } },
} as const;

type VersionRow = Prisma.PromptVersionModel;
type PromptRow = Prisma.PromptModel & {
  versions: VersionRow[];
  labels: PromptLabelRecord[];
  _count: { versions: number };
};

function toVersion(row: VersionRow): PromptVersionRecord {
  return {
    ...row,
    variables: JSON.parse(row.variables) as VariableSpec[],
    parameters: JSON.parse(row.parameters) as PromptParameters,
    metadata: JSON.parse(row.metadata) as PromptMetadata,
  };
}

function toPrompt({ versions, _count, tags, ...row }: PromptRow): PromptRecord {
  const [latest] = versions;
  if (!latest) throw new Error(`Prompt ${row.id} has no version`);
  return {
    ...row,
    tags: JSON.parse(tags) as string[],
    latest: toVersion(latest),
    versionCount: _count.versions,
  };
}

function versionColumns(data: VersionData) {
  return {
    body: data.body,
    system: data.system ?? null,
    variables: JSON.stringify(data.variables),
    model: data.model ?? null,
    parameters: JSON.stringify(data.parameters ?? {}),
    metadata: JSON.stringify(data.metadata ?? {}),
    message: data.message ?? null,
  };
}

export class PromptRepository {
  constructor(private readonly db: PrismaClient) {}

  async find(projectId: number | null, name: string): Promise<PromptRecord | null> {
    const row = await this.db.prompt.findFirst({ where: { projectId, name }, include: withLatest });
    return row ? toPrompt(row) : null;
  }

  async list(projectId: number | null): Promise<PromptRecord[]> {
    const rows = await this.db.prompt.findMany({
      where: { projectId },
      include: withLatest,
      orderBy: { name: 'asc' },
    });
    return rows.map(toPrompt);
  }

  /** Changes when a prompt, a version or a label is added, changed or deleted. */
  async fingerprint(): Promise<string> {
    const [prompts, versions, labels, moves] = await Promise.all([
      this.db.prompt.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
      this.db.promptVersion.aggregate({ _count: { _all: true }, _max: { id: true } }),
      this.db.promptLabel.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
      this.db.promptLabelHistory.aggregate({ _max: { id: true } }),
    ]);
    return JSON.stringify([prompts, versions, labels, moves]);
  }

  async version(promptId: number, version: number): Promise<PromptVersionRecord | null> {
    const row = await this.db.promptVersion.findUnique({
      where: { promptId_version: { promptId, version } },
    });
    return row ? toVersion(row) : null;
  }

  async versions(promptId: number): Promise<PromptVersionRecord[]> {
    const rows = await this.db.promptVersion.findMany({
      where: { promptId },
      orderBy: { version: 'asc' },
    });
    return rows.map(toVersion);
  }

  async create(prompt: PromptData, version: VersionData): Promise<PromptRecord> {
    const row = await this.db.prompt.create({
      data: {
        projectId: prompt.projectId,
        name: prompt.name,
        description: prompt.description ?? null,
        category: prompt.category ?? null,
        tags: JSON.stringify(prompt.tags ?? []),
        versions: { create: { version: 1, ...versionColumns(version) } },
      },
      include: withLatest,
    });
    return toPrompt(row);
  }

  /** Adds version n+1; a concurrent writer taking the same number makes it try the next. */
  /**
   * Adds the version after `parent` (after the latest one without it). Null when `parent`
   * is no longer the latest: another process added a version meanwhile.
   */
  async addVersion(
    promptId: number,
    version: VersionData,
    parent?: number,
  ): Promise<PromptVersionRecord | null> {
    for (let attempt = 0; ; attempt++) {
      const last =
        parent ??
        (
          await this.db.promptVersion.findFirst({
            where: { promptId },
            orderBy: { version: 'desc' },
            select: { version: true },
          })
        )?.version ??
        0;
      try {
        const row = await this.db.promptVersion.create({
          data: { promptId, version: last + 1, ...versionColumns(version) },
        });
        await this.db.prompt.update({ where: { id: promptId }, data: { updatedAt: new Date() } });
        return toVersion(row);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (parent !== undefined) return null;
        if (attempt >= 5) throw error;
      }
    }
  }

  async update(
    promptId: number,
    changes: { description?: string | null; tags?: string[] },
  ): Promise<void> {
    await this.db.prompt.update({
      where: { id: promptId },
      data: {
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.tags !== undefined ? { tags: JSON.stringify(changes.tags) } : {}),
      },
    });
  }

  async delete(promptId: number): Promise<void> {
    await this.db.prompt.delete({ where: { id: promptId } });
  }

  /** Points `label` at `version`, and records the move. */
  async setLabel(promptId: number, label: string, version: number): Promise<void> {
    await withBusyRetry(() =>
      this.db.$transaction([
        this.db.promptLabel.upsert({
          where: { promptId_name: { promptId, name: label } },
          create: { promptId, name: label, version },
          update: { version },
          select: { id: true },
        }),
        this.db.promptLabelHistory.create({
          data: { promptId, label, version },
          select: { id: true },
        }),
      ]),
    );
  }

  /** Removes `label`, and records it; false when the prompt had no such label. */
  async deleteLabel(promptId: number, label: string): Promise<boolean> {
    const [removed] = await withBusyRetry(() =>
      this.db.$transaction([
        this.db.promptLabel.deleteMany({ where: { promptId, name: label } }),
        this.db.promptLabelHistory.create({
          data: { promptId, label, version: null },
          select: { id: true },
        }),
      ]),
    );
    return removed.count > 0;
  }

  /** Every move of the prompt's labels, oldest first. */
  async labelHistory(promptId: number): Promise<LabelMove[]> {
    const rows = await this.db.promptLabelHistory.findMany({
      where: { promptId },
      orderBy: { id: 'asc' },
    });
    return rows.map((row) => ({ label: row.label, version: row.version, at: row.createdAt }));
  }
}
