// Builds the services over one database connection. Services with heavy dependencies
// (templates, YAML) load on first use, so commands that do not need them start fast.
import type { Database } from '../db/client.js';
import { ProjectRepository } from '../db/repositories/project-repository.js';
import { ProjectService } from './project-service.js';
import type { PromptService } from './prompt-service.js';

export interface Services {
  projects: ProjectService;
  prompts(): Promise<PromptService>;
}

export function createServices(db: Database, cwd: string): Services {
  const projectRepository = new ProjectRepository(db.prisma);
  let prompts: Promise<PromptService> | undefined;
  return {
    projects: new ProjectService({ repository: projectRepository, cwd }),
    prompts: () => {
      prompts ??= (async () => {
        const [{ PromptService }, { PromptRepository }] = await Promise.all([
          import('./prompt-service.js'),
          import('../db/repositories/prompt-repository.js'),
        ]);
        return new PromptService({
          prompts: new PromptRepository(db.prisma),
          projects: projectRepository,
        });
      })();
      return prompts;
    },
  };
}
