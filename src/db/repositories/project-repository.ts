import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';

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

type ProjectRow = Prisma.ProjectModel & { _count: ProjectCounts };

function toProject({ _count, ...project }: ProjectRow): ProjectRecord {
  return { ...project, counts: _count };
}

export class ProjectRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async list(): Promise<ProjectRecord[]> {
    const rows = await this.prisma.project.findMany({
      include: withCounts,
      orderBy: { name: 'asc' },
    });
    return rows.map(toProject);
  }

  async findByName(name: string): Promise<ProjectRecord | null> {
    const row = await this.prisma.project.findUnique({ where: { name }, include: withCounts });
    return row ? toProject(row) : null;
  }

  async findById(id: number): Promise<ProjectRecord | null> {
    const row = await this.prisma.project.findUnique({ where: { id }, include: withCounts });
    return row ? toProject(row) : null;
  }

  async create(data: ProjectData): Promise<ProjectRecord> {
    return toProject(await this.prisma.project.create({ data, include: withCounts }));
  }

  async update(id: number, data: Partial<ProjectData>): Promise<ProjectRecord> {
    return toProject(
      await this.prisma.project.update({ where: { id }, data, include: withCounts }),
    );
  }

  /** Deletes the project; its prompts, workflows, runs and sessions go with it (cascade). */
  async delete(id: number): Promise<void> {
    await this.prisma.project.delete({ where: { id } });
  }
}
