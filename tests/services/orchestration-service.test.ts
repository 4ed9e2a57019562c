// Orchestration sessions against a real database, when a phase fails in ways the model server
// cannot produce.
import { describe, expect, it } from 'vitest';
import { CacheRepository } from '../../src/db/repositories/cache-repository.js';
import { ExecutionRepository } from '../../src/db/repositories/execution-repository.js';
import { OrchestrationRepository } from '../../src/db/repositories/orchestration-repository.js';
import { ProjectRepository } from '../../src/db/repositories/project-repository.js';
import { PromptRepository } from '../../src/db/repositories/prompt-repository.js';
import { OrchestrationService } from '../../src/services/orchestration-service.js';
import { PromptService } from '../../src/services/prompt-service.js';
import { RunService } from '../../src/services/run-service.js';
import { testDatabase } from '../support/db.js';

async function setup() {
  const db = await testDatabase();
  const projects = new ProjectRepository(db.prisma, db.sql);
  const project = await projects.create({ name: 'shop' });
  const prompts = new PromptService({ prompts: new PromptRepository(db.prisma), projects });
  const runs = new RunService({
    prompts,
    executions: new ExecutionRepository(db.prisma, db.sql),
    cache: new CacheRepository(db.prisma, db.sql),
    config: { maxRetries: 0 },
    env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
  });
  const sessions = new OrchestrationRepository(db.prisma);
  const orchestration = new OrchestrationService({ sessions, prompts, runs, cwd: '/' });
  return { project, runs, sessions, orchestration };
}

describe('OrchestrationService', () => {
  it('records an unexpected failure of a phase on its session', async () => {
    const { project, runs, sessions, orchestration } = await setup();
    runs.execute = () => Promise.reject(new TypeError('answer handler broke'));
    await expect(orchestration.plan(project, { featureRequest: 'add search' }, {})).rejects.toThrow(
      'answer handler broke',
    );
    const [session] = await sessions.list({ limit: 10 });
    expect(session).toMatchObject({ status: 'planning', lastError: 'answer handler broke' });
  });

  it('creates no session when the feature is missing', async () => {
    const { project, sessions, orchestration } = await setup();
    await expect(orchestration.plan(project, { featureRequest: '  ' }, {})).rejects.toThrow(
      'Describe the feature to plan',
    );
    expect(await sessions.list({ limit: 10 })).toEqual([]);
  });
});
