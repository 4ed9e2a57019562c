// The orchestration flow in-process, against a real database, a fixture codebase and a local
// model server that answers each phase.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { ChatRequestBody } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

const PLAN_ANSWER = `I looked at the project.
<analysis_template>
Analyse "{{featureRequest}}" for {{project.name}}.
{{codebaseContext}}
End with Complexity and Time estimate lines.
</analysis_template>
<implementation_template>
Plan "{{featureRequest}}" from this analysis:
{{analysisResults}}
Complexity was {{complexity}}; notes: {{executionNotes}}
</implementation_template>
Do the database migration first.`;

type Mode = { plan: 'good' | 'prose'; analyze: 'good' | 'fail' };

function reply(mode: Mode) {
  return (body: ChatRequestBody) => {
    const prompt = body.messages.at(-1)?.content ?? '';
    if (prompt.includes('<analysis_template>')) {
      return mode.plan === 'good'
        ? { content: PLAN_ANSWER }
        : { content: 'Sorry, I would rather chat.' };
    }
    if (prompt.startsWith('Analyse')) {
      if (mode.analyze === 'fail') return { status: 500, message: 'analysis backend down' };
      return {
        content: `The auth module is in src/auth.ts.\n\nComplexity: Medium\nTime estimate: 2-3 days`,
      };
    }
    if (prompt.startsWith('Plan'))
      return { content: '1. Add a reset token table.\n2. Send the email.' };
    return { content: 'unexpected prompt' };
  };
}

async function setup(mode: Mode = { plan: 'good', analyze: 'good' }) {
  const server = await modelServer((body) => reply(mode)(body));
  const home = tempDir();
  const code = join(home, 'shop');
  mkdirSync(join(code, 'src'), { recursive: true });
  writeFileSync(join(code, 'README.md'), '# Shop\n');
  writeFileSync(join(code, 'src', 'auth.ts'), 'export function login() {}\n');
  writeFileSync(join(code, '.env'), 'TOKEN=super-secret\n');
  const env = testEnv(home, { OPENAI_BASE_URL: server.url });
  const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
  await cli('project', 'create', 'shop', '--root', 'shop', '-d', 'A web shop');
  await cli('project', 'use', 'shop');
  return { server, home, code, cli, mode };
}

const json = (result: { stdout: string }) => JSON.parse(result.stdout);

describe('orchestrate', () => {
  it('plans, analyses and implements a feature, recording every call', async () => {
    const { cli, server, home } = await setup();
    const planned = await cli('orchestrate', 'plan', 'add password reset', '--json');
    expect(planned.code).toBe(0);
    const session = json(planned);
    expect(session).toMatchObject({
      status: 'analysis',
      project: 'shop',
      featureRequest: 'add password reset',
      executionNotes: 'I looked at the project.\n\nDo the database migration first.',
    });
    const planPrompt = server.requests[0]?.body.messages[0]?.content ?? '';
    expect(planPrompt).toContain('add password reset');
    expect(planPrompt).toContain('src/auth.ts');
    const id = session.sessionId.slice(0, 8);

    const analysed = json(await cli('orchestrate', 'analyze', id, '--context', 'src/**', '--json'));
    expect(analysed).toMatchObject({
      status: 'implementation',
      complexity: 'medium',
      timeEstimate: '2-3 days',
    });
    const analysisPrompt = server.requests[1]?.body.messages[0]?.content ?? '';
    expect(analysisPrompt).toContain(
      '=== src/auth.ts (whole file, 1 line) ===\n1| export function login() {}',
    );
    expect(analysisPrompt).not.toContain('super-secret');

    const promptOnly = await cli('orchestrate', 'implement', id, '--prompt-only');
    expect(promptOnly.stdout).toContain('Complexity was medium; notes: I looked at the project.');
    expect(server.requests).toHaveLength(2);

    // A path the plan cannot be written to is refused before the model is asked.
    const intoDir = await cli('orchestrate', 'implement', id, '-o', '.');
    expect(intoDir).toMatchObject({
      code: 2,
      stderr: `Error: Cannot write ${home}: it is a directory\n`,
    });
    expect(server.requests).toHaveLength(2);

    const implemented = await cli('orchestrate', 'implement', id, '-o', 'plans/PLAN.md');
    expect(implemented.code).toBe(0);
    expect(readFileSync(join(home, 'plans', 'PLAN.md'), 'utf8')).toContain(
      '1. Add a reset token table.',
    );

    const shown = json(await cli('orchestrate', 'show', id, '--json'));
    expect(shown.status).toBe('completed');
    expect(shown.phases.map((p: { phase: string; calls: number }) => [p.phase, p.calls])).toEqual([
      ['plan', 1],
      ['analyze', 1],
      ['implement', 1],
    ]);
    const human = await cli('orchestrate', 'show', id);
    expect(human.stdout).toMatch(/Status\s+completed/);
    expect(human.stdout).toContain('Implementation plan');

    const exported = await cli('orchestrate', 'export', id, '--dir', 'out');
    expect(exported.code).toBe(0);
    for (const file of ['plan.md', 'analysis.md', 'implementation.md', 'session.json']) {
      expect(existsSync(join(home, 'out', file))).toBe(true);
    }
    expect(readFileSync(join(home, 'out', 'plan.md'), 'utf8')).toContain(
      'Analyse "{{featureRequest}}"',
    );

    const list = json(await cli('orchestrate', 'list-sessions', '--json'));
    expect(list).toHaveLength(1);
    expect((await cli('orchestrate', 'list-sessions')).stdout).toMatch(
      /│ shop\s+│ completed\s+│ medium\s+│ 2-3 days/,
    );
    const calls = json(await cli('execution', 'list', '--json'));
    expect(calls.map((c: { phase: string }) => c.phase).sort()).toEqual([
      'analyze',
      'implement',
      'plan',
    ]);
  });

  it('refuses phases out of order, and re-running one without --force', async () => {
    const { cli } = await setup();
    const id = json(await cli('orchestrate', 'plan', 'add search', '--json')).sessionId.slice(0, 8);
    const early = await cli('orchestrate', 'implement', id);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /at the analysis phase \(run `prompt-runner orchestrate analyze [0-9a-f]{8}` first\)/,
    );
    await cli('orchestrate', 'analyze', id);
    const again = await cli('orchestrate', 'analyze', id);
    expect(again.stderr).toMatch(
      /has done this phase already \(--force runs it again and replaces the analysis\)/,
    );
    expect((await cli('orchestrate', 'analyze', id, '--force')).code).toBe(0);
  });

  it('asks again when the plan answer has no templates, then fails keeping the answer', async () => {
    const { cli, server, mode } = await setup({ plan: 'prose', analyze: 'good' });
    const failed = await cli('orchestrate', 'plan', 'add search');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /had no usable templates after 3 tries: the answer has no <analysis_template>/,
    );
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]?.body.messages[0]?.content).toContain(
      'Your previous answer could not be used',
    );
    const [session] = json(await cli('orchestrate', 'list-sessions', '--json'));
    expect(session).toMatchObject({
      status: 'planning',
      planResponse: 'Sorry, I would rather chat.',
    });
    expect(session.lastError).toMatch(/no usable templates/);

    mode.plan = 'good';
    const retried = json(
      await cli('orchestrate', 'plan', '--session', session.sessionId.slice(0, 8), '--json'),
    );
    expect(retried).toMatchObject({ status: 'analysis', lastError: null });
  });

  it('keeps the session intact when a phase fails, and a second run succeeds', async () => {
    const { cli, mode } = await setup({ plan: 'good', analyze: 'fail' });
    const id = json(await cli('orchestrate', 'plan', 'add search', '--json')).sessionId.slice(0, 8);
    const failed = await cli('orchestrate', 'analyze', id, '--json');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/answered 500: analysis backend down/);
    const after = json(await cli('orchestrate', 'show', id, '--json'));
    expect(after).toMatchObject({
      status: 'analysis',
      analysisTemplate: expect.stringContaining('Analyse'),
    });
    expect(after.lastError).toMatch(/analysis backend down/);
    mode.analyze = 'good';
    expect(json(await cli('orchestrate', 'analyze', id, '--json'))).toMatchObject({
      status: 'implementation',
      lastError: null,
    });
  });

  it('shows the planning prompt with --dry-run, filters and deletes sessions', async () => {
    const { cli, server } = await setup();
    const dry = await cli('orchestrate', 'plan', 'add a wishlist', '--dry-run');
    expect(dry.stdout).toContain('# Feature request\nadd a wishlist');
    expect(dry.stdout).toContain('must use `{{featureRequest}}`');
    expect(server.requests).toHaveLength(0);
    expect(json(await cli('orchestrate', 'list-sessions', '--json'))).toEqual([]);

    const first = json(await cli('orchestrate', 'plan', 'one', '--json')).sessionId;
    await cli('orchestrate', 'plan', 'two');
    await cli('orchestrate', 'analyze', first.slice(0, 8));
    const analysed = json(
      await cli('orchestrate', 'list-sessions', '--status', 'implementation', '--json'),
    );
    expect(analysed.map((s: { featureRequest: string }) => s.featureRequest)).toEqual(['one']);
    expect(json(await cli('orchestrate', 'list-sessions', '--limit', '1', '--json'))).toHaveLength(
      1,
    );
    expect((await cli('orchestrate', 'delete', first.slice(0, 8))).code).toBe(2);
    expect((await cli('orchestrate', 'delete', first.slice(0, 8), '--yes')).stdout).toContain(
      'Deleted session',
    );
    expect(json(await cli('orchestrate', 'list-sessions', '--json'))).toHaveLength(1);
    expect(json(await cli('execution', 'list', '--json')).length).toBe(3);
  });

  it('needs a root to analyse, and says how to set one', async () => {
    const { cli } = await setup();
    await cli('project', 'create', 'bare');
    const id = json(await cli('orchestrate', 'plan', 'x', '-p', 'bare', '--json')).sessionId.slice(
      0,
      8,
    );
    const noRoot = await cli('orchestrate', 'analyze', id);
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr).toMatch(
      /Project "bare" has no root directory \(set it with `prompt-runner project update bare --root <dir>`/,
    );
    expect((await cli('orchestrate', 'analyze', id, '--root', 'nowhere')).stderr).toMatch(
      /does not exist/,
    );
    // Bad input changes nothing: the session does not record it as a failed phase.
    expect(json(await cli('orchestrate', 'show', id, '--json')).lastError).toBeNull();
    expect((await cli('orchestrate', 'show', 'ffff')).stderr).toMatch(/No session with id ffff/);
    // An id is matched as a prefix: never as a pattern.
    expect((await cli('orchestrate', 'show', 'c%%%')).stderr).toMatch(/Invalid session id "c%%%"/);
    expect((await cli('orchestrate', 'plan', '-p', 'ghost', 'x')).stderr).toMatch(
      /Project "ghost" not found/,
    );
  });

  it('refuses to plan without an API key for a remote endpoint, creating nothing', async () => {
    const home = tempDir();
    const env = testEnv(home, { OPENAI_BASE_URL: 'https://api.example.com/v1' });
    const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
    await cli('project', 'create', 'shop');
    const result = await cli('orchestrate', 'plan', 'add search', '-p', 'shop');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No API key for api.example.com: set OPENAI_API_KEY/);
    expect(json(await cli('orchestrate', 'list-sessions', '--json'))).toEqual([]);
  });

  it('overrides phase templates per project and resets them', async () => {
    const { cli, home, server } = await setup();
    expect(
      json(await cli('orchestrate', 'templates', 'list', '--json')).map(
        (t: { source: string }) => t.source,
      ),
    ).toEqual(['built-in', 'built-in', 'built-in']);
    writeFileSync(
      join(home, 'orch.hbs'),
      'Custom plan for {{featureRequest}} <analysis_template> please',
    );
    expect(
      (await cli('orchestrate', 'templates', 'set', 'orchestrator', '--file', 'orch.hbs')).stdout,
    ).toContain('The orchestrator template of project shop is now version 1');
    expect((await cli('orchestrate', 'templates', 'show', 'orchestrator')).stdout).toContain(
      'Custom plan for',
    );
    // A phase renders its template alone: one that includes a prompt is refused.
    await cli('prompt', 'create', 'house-style', '--body', 'Be brief.');
    writeFileSync(join(home, 'partial.hbs'), 'Plan {{featureRequest}} {{> house-style}}');
    const partial = await cli(
      'orchestrate',
      'templates',
      'set',
      'orchestrator',
      '-f',
      'partial.hbs',
    );
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/includes other prompts \(\{\{> house-style\}\}\)/);
    await cli('prompt', 'delete', 'house-style', '--yes');
    await cli('orchestrate', 'plan', 'add search');
    expect(server.requests.at(-1)?.body.messages[0]?.content).toBe(
      'Custom plan for add search <analysis_template> please',
    );
    expect((await cli('orchestrate', 'templates', 'list')).stdout).toMatch(
      /│ orchestrator\s+│ project \(v1\)/,
    );
    expect((await cli('orchestrate', 'templates', 'reset', 'orchestrator')).stdout).toContain(
      'comes from built-in',
    );
    expect((await cli('orchestrate', 'templates', 'show', 'nonsense')).stderr).toMatch(
      /Unknown phase "nonsense"/,
    );
    // A prompt of the project that happens to have a phase template's name is left alone.
    await cli('prompt', 'create', 'orchestration-analysis', '--body', 'mine {{x}}');
    writeFileSync(join(home, 'analysis.hbs'), 'Analyse {{codebaseContext}}');
    const setAnalysis = (file: string) =>
      cli('orchestrate', 'templates', 'set', 'analysis', '--file', file);
    const clash = await setAnalysis('analysis.hbs');
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/A prompt named "orchestration-analysis" already exists/);
    expect((await cli('orchestrate', 'templates', 'reset', 'analysis')).stdout).toContain(
      'There was no override',
    );
    expect((await cli('prompt', 'show', 'orchestration-analysis')).stdout).toContain('mine {{x}}');
    await cli('prompt', 'delete', 'orchestration-analysis', '--yes');
    writeFileSync(join(home, 'unknown.hbs'), 'Analyse {{codebaseContext}} for {{ticket}}');
    const unknown = await setAnalysis('unknown.hbs');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'Error: The analysis template uses variables its phase does not provide: ticket (it is rendered with featureRequest, project, fileTree, repoMap, codebaseContext)\n',
    );
    expect((await cli('prompt', 'list', '--json')).stdout).toBe('[]\n');
  });

  it('shows what the analysis would send, and why, without calling a model or storing anything', async () => {
    const { cli, server, code } = await setup();
    writeFileSync(
      join(code, 'src', 'reset.ts'),
      "import { login } from './auth.js';\n\n/** Sends the password reset email. */\nexport function sendResetEmail(to: string) {\n  return login();\n}\n",
    );
    const shown = await cli('orchestrate', 'context', 'send the password reset email', '--json');
    expect(shown.code).toBe(0);
    const context = json(shown);
    expect(context.featureRequest).toBe('send the password reset email');
    const ranked = context.files.filter((f: { reason: string }) => f.reason !== 'key file');
    expect(ranked[0]).toMatchObject({
      path: 'src/reset.ts',
      reason: 'ranked',
      whole: true,
      lines: 6,
      ranges: [{ start: 1, end: 6 }],
    });
    expect(context.files.find((f: { path: string }) => f.path === 'src/auth.ts')).toMatchObject({
      reason: 'imported by a hit',
    });
    expect(context.codebaseContext).toContain('4| export function sendResetEmail(to: string) {');
    expect(context.codebaseContext).not.toContain('super-secret');
    expect(context.budget).toMatchObject({ maxTokens: 24_000 });
    expect(context.budget.usedTokens).toBeGreaterThan(0);
    const human = await cli('orchestrate', 'context', 'send the password reset email');
    expect(human.stdout).toMatch(/src\/reset\.ts\s+.*all 6\s+.*ranked/);
    expect(human.stdout).toMatch(/Context: \d+ files, \d+ of 24000 tokens/);
    const text = await cli(
      'orchestrate',
      'context',
      'reset email',
      '--text',
      '--exclude',
      'README.md',
    );
    expect(text.stdout).toContain('=== src/reset.ts (whole file, 6 lines) ===');
    expect(text.stdout).not.toContain('# Shop');
    const small = await cli('orchestrate', 'context', 'reset email', '-m', 'llama3', '--json');
    expect(json(small).budget).toMatchObject({ maxTokens: 4_096, window: 8_192 });
    expect(server.requests).toHaveLength(0);
    expect(json(await cli('orchestrate', 'list-sessions', '--json'))).toEqual([]);
    const empty = await cli('orchestrate', 'context', '  ', '--json');
    expect(empty.code).toBe(2);
    expect(json(empty).error.message).toBe('Describe the feature to find context for');
    const bad = await cli('orchestrate', 'context', 'x', '--max-context-tokens', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Error: Invalid --max-context-tokens "0"/);
  });

  it('keeps what the analysis read on the session and warns when it changed before implement', async () => {
    const { cli, code } = await setup();
    const planned = await cli('orchestrate', 'plan', 'add password reset to login', '--json');
    const id = json(planned).sessionId;
    expect((await cli('orchestrate', 'analyze', id)).code).toBe(0);
    const shown = json(await cli('orchestrate', 'show', id, '--json'));
    expect(shown.context.root).toBe(code);
    const auth = shown.context.files.find((f: { path: string }) => f.path === 'src/auth.ts');
    expect(auth).toMatchObject({ ranges: [{ start: 1, end: 1 }] });
    expect(auth.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli('orchestrate', 'show', id)).stdout).toMatch(
      /Context of the analysis[\s\S]*src\/auth\.ts/,
    );
    const quiet = await cli('orchestrate', 'implement', id, '--prompt-only');
    expect(quiet.stderr).toBe('');
    writeFileSync(join(code, 'src', 'auth.ts'), 'export function login(user: string) {}\n');
    const warned = await cli('orchestrate', 'implement', id);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      `Warning: 1 file the analysis read changed since: src/auth.ts (\`prompt-runner orchestrate analyze ${id} --force\` analyses again)`,
    );
  });

  it('runs every phase in one command and carries a stopped session on', async () => {
    const { cli, server, mode } = await setup({ plan: 'good', analyze: 'fail' });
    await cli('config', 'set', 'maxRetries', '0');
    const failed = await cli('orchestrate', 'run', 'add password reset to login', '--json');
    expect(failed.code).toBe(1);
    const error = json(failed).error;
    expect(error.message).toMatch(/analysis backend down/);
    const id = /session ([0-9a-f]{8}) stopped there/.exec(error.hint)?.[1];
    expect(id).toBeDefined();
    mode.analyze = 'good';
    const resumed = await cli('orchestrate', 'run', '--session', String(id), '--json');
    expect(resumed.code).toBe(0);
    expect(json(resumed)).toMatchObject({
      status: 'completed',
      implementationResult: '1. Add a reset token table.\n2. Send the email.',
    });
    // The locate step's answer ("unexpected prompt") could not be used: the ranking chose.
    expect(resumed.stderr).toContain("Warning: The locate step's answer could not be used");
    // Carried on from the analysis: the plan was asked for once.
    const asked = server.requests.map((r) => r.body.messages.at(-1)?.content ?? '');
    expect(asked.filter((p) => p.includes('<analysis_template>'))).toHaveLength(1);
    const missing = await cli('orchestrate', 'run');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('Error: Describe the feature to plan\n');
  });
});
