// Dotprompt's conformance suite through the services: each case imported as `.prompt` files
// and rendered, compared part by part. The same cases run through the built binary in
// tests/e2e/dotprompt-spec.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ProjectRepository } from '../../src/db/repositories/project-repository.js';
import { PromptRepository } from '../../src/db/repositories/prompt-repository.js';
import { parseHistory } from '../../src/services/chat-history.js';
import { PromptService } from '../../src/services/prompt-service.js';
import { exportPromptFile, importPromptFiles } from '../../src/services/prompt-transfer.js';
import { testDatabase } from '../support/db.js';
import {
  type CaseOutcome,
  caseFiles,
  compareCase,
  loadSpecCases,
  SPEC_DIR,
  type SpecCase,
  specAvailable,
  summarize,
} from '../support/dotprompt-spec.js';

/** Cases of the suite prompt-runner must pass; the others are listed in the README. */
const REQUIRED = 110;

async function renderCase(
  service: PromptService,
  projects: ProjectRepository,
  c: SpecCase,
  n: number,
) {
  await projects.create({ name: `case-${n}` });
  const scope = await service.scope(`case-${n}`);
  const files = Object.entries(caseFiles(c)).map(([within, text]) => ({
    path: within,
    within,
    text,
  }));
  const imported = await importPromptFiles(service, scope, files, { atomic: true });
  const failed = imported.find((r) => r.status !== 'created');
  if (failed) throw new Error(`import: ${failed.error ?? failed.status}`);
  const renderer = await service.renderer(scope, c.suite);
  const history = c.data.messages ? parseHistory(c.data.messages, 'messages') : undefined;
  const rendered = renderer.render(
    { ...c.defaults, ...c.data.input },
    { history, context: c.data.context },
  );
  const exported = exportPromptFile(renderer.view);
  const { name: _name, ...raw } = parse(/^---\n([\s\S]*?)---\n/.exec(exported)?.[1] ?? '{}');
  return { ...rendered, defaults: c.defaults ?? {}, raw };
}

describe.skipIf(!specAvailable)(`Dotprompt spec suite (${SPEC_DIR})`, () => {
  it(`passes at least ${REQUIRED} cases, compared part by part`, async () => {
    const db = await testDatabase();
    const projects = new ProjectRepository(db.prisma);
    const service = new PromptService({ prompts: new PromptRepository(db.prisma), projects });
    const outcomes: CaseOutcome[] = [];
    for (const [n, c] of loadSpecCases().entries()) {
      try {
        const rendered = await renderCase(service, projects, c, n);
        outcomes.push({ case: c, failure: compareCase(c, rendered) });
      } catch (error) {
        outcomes.push({ case: c, failure: `error: ${(error as Error).message}` });
      }
    }
    console.log(summarize(outcomes));
    expect(outcomes).toHaveLength(117);
    expect(outcomes.filter((o) => o.failure === null).length).toBeGreaterThanOrEqual(REQUIRED);
  }, 60_000);
});

describe.runIf(!specAvailable)('Dotprompt spec suite', () => {
  it.skip(`is not at ${SPEC_DIR}: set DOTPROMPT_SPEC_DIR to run it`, () => {});
});
