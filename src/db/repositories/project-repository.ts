import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Sql } from '../sql.js';

export interface ProjectCounts {
  prompts: number;
  workflows: number;
  sessions: number;
}

export interface ProjectRecord {
  id: number;
  name: string;
  description: string | null;
  rootPath: string | null;
  defaultModel: string | null;
  createdAt: Date;
  updatedAt: Date;
  counts: ProjectCounts;
}

export interface ProjectData {
  name: string;
  description?: string | null;
  rootPath?: string | null;
  defaultModel?: string | null;
}

/**
 * Projects with their counts, in plain SQL. Every command that names a project reads it, so
 * these reads skip Prisma's query planner, which costs more than the query on a cold start.
 */
const SELECT_WITH_COUNTS = `
  SELECT p."id", p."name", p."description", p."rootPath", p."defaultModel",
         p."createdAt", p."updatedAt",
         (SELECT COUNT(*) FROM "Prompt" WHERE "projectId" = p."id") AS prompts,
         (SELECT COUNT(*) FROM "Workflow" WHERE "projectId" = p."id") AS workflows,
         (SELECT COUNT(*) FROM "OrchestrationSession" WHERE "projectId" = p."id") AS sessions
    FROM "Project" p`;

type SqlRow = Omit<ProjectRecord, 'counts' | 'createdAt' | 'updatedAt'> &
  Record<keyof ProjectCounts, number | bigint> & {
    createdAt: Date | string;
    updatedAt: Date | string;
  };

function fromSql({
  prompts,
  workflows,
  sessions,
  createdAt,
  updatedAt,
  ...project
}: SqlRow): ProjectRecord {
  return {
    ...project,
    id: Number(project.id),
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
    counts: { prompts: Number(prompts), workflows: Number(workflows), sessions: Number(sessions) },
  };
}

export class ProjectRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
  ) {}

  async list(): Promise<ProjectRecord[]> {
    const rows = await this.sql.query<SqlRow>(`${SELECT_WITH_COUNTS} ORDER BY p."name"`);
    return rows.map(fromSql);
  }

  async findByName(name: string): Promise<ProjectRecord | null> {
    const [row] = await this.sql.query<SqlRow>(`${SELECT_WITH_COUNTS} WHERE p."name" = ?`, name);
    return row ? fromSql(row) : null;
  }

  async findById(id: number): Promise<ProjectRecord | null> {
    const [row] = await this.sql.query<SqlRow>(`${SELECT_WITH_COUNTS} WHERE p."id" = ?`, id);
    return row ? fromSql(row) : null;
  }

  async create(data: ProjectData): Promise<ProjectRecord> {
    const { name } = await this.prisma.project.create({ data, select: { name: true } });
    return this.written(name);
  }

  async update(id: number, data: Partial<ProjectData>): Promise<ProjectRecord> {
    const { name } = await this.prisma.project.update({
      where: { id },
      data,
      select: { name: true },
    });
    return this.written(name);
  }

  /** A project just written, read back with its counts. */
  private async written(name: string): Promise<ProjectRecord> {
    return (await this.findByName(name)) as ProjectRecord;
  }

  /** Deletes the project; its prompts, workflows, runs and sessions go with it (cascade). */
  async delete(id: number): Promise<void> {
    await this.prisma.project.delete({ where: { id } });
  }
}
