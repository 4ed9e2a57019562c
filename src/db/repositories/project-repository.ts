import type { PrismaClient } from '../../generated/prisma/client.js';

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

const withCounts = {
  _count: { select: { prompts: true, workflows: true, sessions: true } },
} as const;

type Row = Omit<ProjectRecord, 'counts'> & { _count: ProjectCounts };

function toRecord({ _count, ...project }: Row): ProjectRecord {
  return { ...project, counts: { ..._count } };
}

export class ProjectRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async list(): Promise<ProjectRecord[]> {
    const rows = await this.prisma.project.findMany({
      include: withCounts,
      orderBy: { name: 'asc' },
    });
    return rows.map(toRecord);
  }

  async findByName(name: string): Promise<ProjectRecord | null> {
    const row = await this.prisma.project.findUnique({ where: { name }, include: withCounts });
    return row ? toRecord(row) : null;
  }

  async create(data: ProjectData): Promise<ProjectRecord> {
    return toRecord(await this.prisma.project.create({ data, include: withCounts }));
  }

  async update(id: number, data: Partial<ProjectData>): Promise<ProjectRecord> {
    return toRecord(await this.prisma.project.update({ where: { id }, data, include: withCounts }));
  }

  /** Deletes the project; its prompts, workflows, runs and sessions go with it (cascade). */
  async delete(id: number): Promise<void> {
    await this.prisma.project.delete({ where: { id } });
  }
}
