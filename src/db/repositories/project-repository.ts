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

/** Where this machine keeps projects' code, by project name (a shared store's roots). */
export type LocalRoots = () => Readonly<Record<string, string>>;

export class ProjectRepository {
  /**
   * `localRoots`: on a shared store, each machine keeps its own checkout; a root found there
   * stands in for the row's, which is only the team's default.
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly localRoots?: LocalRoots,
  ) {}

  async list(): Promise<ProjectRecord[]> {
    const rows = await this.prisma.project.findMany({
      include: withCounts,
      orderBy: { name: 'asc' },
    });
    return rows.map((row) => this.#toProject(row));
  }

  async findByName(name: string): Promise<ProjectRecord | null> {
    const row = await this.prisma.project.findUnique({ where: { name }, include: withCounts });
    return row ? this.#toProject(row) : null;
  }

  async findById(id: number): Promise<ProjectRecord | null> {
    const row = await this.prisma.project.findUnique({ where: { id }, include: withCounts });
    return row ? this.#toProject(row) : null;
  }

  async create(data: ProjectData): Promise<ProjectRecord> {
    return this.#toProject(await this.prisma.project.create({ data, include: withCounts }));
  }

  async update(id: number, data: Partial<ProjectData>): Promise<ProjectRecord> {
    return this.#toProject(
      await this.prisma.project.update({ where: { id }, data, include: withCounts }),
    );
  }

  #toProject({ _count, ...project }: ProjectRow): ProjectRecord {
    const local = this.localRoots?.()[project.name];
    return { ...project, rootPath: local ?? project.rootPath, counts: _count };
  }

  /** Deletes the project; its prompts, workflows, runs and sessions go with it (cascade). */
  async delete(id: number): Promise<void> {
    await this.prisma.project.delete({ where: { id } });
  }
}
