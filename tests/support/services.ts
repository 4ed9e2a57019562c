// The services a test builds on, over a fresh database: projects, prompts, and model runs.
import type { Config } from '../../src/core/config.js';
import { CacheRepository } from '../../src/db/repositories/cache-repository.js';
import { ExecutionRepository } from '../../src/db/repositories/execution-repository.js';
import { ProjectRepository } from '../../src/db/repositories/project-repository.js';
import { PromptRepository } from '../../src/db/repositories/prompt-repository.js';
import { PromptService } from '../../src/services/prompt-service.js';
import { RunService } from '../../src/services/run-service.js';
import { testDatabase } from './db.js';

export async function testServices(env: NodeJS.ProcessEnv, config: Config = { maxRetries: 0 }) {
  const db = await testDatabase();
  const projects = new ProjectRepository(db.prisma);
  const prompts = new PromptService({ prompts: new PromptRepository(db.prisma), projects });
  const runs = new RunService({
    prompts,
    executions: new ExecutionRepository(db.prisma, db.engine),
    cache: new CacheRepository(db.prisma),
    config,
    env,
  });
  return { db, projects, prompts, runs };
}
