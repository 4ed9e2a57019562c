// Builds the services over one database connection.
import type { Database } from '../db/client.js';
import { ProjectRepository } from '../db/repositories/project-repository.js';
import { ProjectService } from './project-service.js';

export interface Services {
  projects: ProjectService;
}

export function createServices(db: Database, cwd: string): Services {
  return {
    projects: new ProjectService({ repository: new ProjectRepository(db.prisma), cwd }),
  };
}
