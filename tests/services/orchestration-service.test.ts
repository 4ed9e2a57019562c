// Orchestration sessions against a real database, when a phase fails in ways the model server
// cannot produce.
import { describe, expect, it } from 'vitest';
import { OrchestrationRepository } from '../../src/db/repositories/orchestration-repository.js';
import { OrchestrationService } from '../../src/services/orchestration-service.js';
import { testServices } from '../support/services.js';

async function setup() {
  const { db, projects, prompts, runs } = await testServices({
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  });
  const project = await projects.create({ name: 'shop' });
  const sessions = new OrchestrationRepository(db.prisma);
  const orchestration = new OrchestrationService({
    sessions,
    prompts,
    runs,
    cwd: '/',
    config: () => ({}),
  });
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
