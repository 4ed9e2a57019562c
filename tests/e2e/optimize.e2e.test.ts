// Optimization through the built binary, the local model server scripted as both the optimizer
// (it answers the rewrite request with chosen candidates) and the model the cases run on (it
// answers by the prompt it is sent).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitCases } from '../../src/optimize/split.js';
import { BIN, runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { ChatRequestBody, ReplyScript } from '../support/model-server.mjs';
import { executionRows } from '../support/store-rows.js';
import { tempDir } from '../support/temp.js';

const CASES = Array.from({ length: 48 }, (_, i) => ({ id: `c${String(i).padStart(2, '0')}` }));
const { train, heldOut } = splitCases(CASES, 0.7, 1);
const HELD_OUT = new Set(heldOut.map((item) => item.id));

/** What the optimizer proposes for a parent template (by its text). */
type Proposals = Record<string, { body: string; rationale: string }[]>;

function isOptimizer(request: ChatRequestBody): boolean {
  return String(request.messages[0]?.content).startsWith('You improve prompt templates');
}

/** The template the optimizer was asked to rewrite. */
function parentOf(request: ChatRequestBody): string {
  const user = String(request.messages.at(-1)?.content);
  return /## Template\n```handlebars\n([\s\S]*?)\n```/.exec(user)?.[1] ?? '';
}

/**
 * The scripted server: the optimizer answers from `proposals`; a case call answers "LABEL"
 * (which passes) when `passes(prompt, caseId)` says so, else "label?".
 */
function script(proposals: Proposals, passes: (prompt: string, caseId: string) => boolean) {
  return (request: ChatRequestBody): ReplyScript => {
    if (isOptimizer(request)) {
      return { content: JSON.stringify({ candidates: proposals[parentOf(request)] ?? [] }) };
    }
    const prompt = String(request.messages.at(-1)?.content);
    const caseId = /case (c\d+)/.exec(prompt)?.[1] ?? '';
    return { content: passes(prompt, caseId) ? `LABEL for ${caseId}` : 'label?' };
  };
}

async function setUp(reply: (request: ChatRequestBody) => ReplyScript) {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  const created = await cli('prompt', 'create', 'classify', '--body', 'Classify case {{id}}.');
  expect(created.code, created.stderr).toBe(0);
  const cases = CASES.map((item) => `  - { id: ${item.id}, vars: { id: ${item.id} } }`).join('\n');
  writeFileSync(
    join(home, 'eval.yaml'),
    `prompts: [classify]\nmodels: [{ model: gpt-4o-mini, maxTokens: 50 }]\ncases:\n${cases}\ndefaults:\n  assert:\n    - { type: contains, value: LABEL }\n`,
  );
  return { server, home, env, cli };
}

const START = 'Classify case {{id}}.';
const CAPS = 'Classify case {{id}}. Answer in CAPS.';

describe('prompt-runner optimize (built binary)', () => {
  it('saves a rewrite that wins on train and held out, with its lineage, and refuses broken ones', async () => {
    const { server, env, cli } = await setUp(
      script(
        {
          [START]: [
            { body: CAPS, rationale: 'ask for capitals' },
            { body: 'Classify case {{id}} in {{language}}.', rationale: 'adds a variable' },
            { body: 'Classify something.', rationale: 'drops the case' },
          ],
        },
        (prompt) => prompt.includes('CAPS'),
      ),
    );
    const result = await cli(
      'optimize',
      'run',
      'classify',
      '--eval',
      'eval.yaml',
      '--label',
      'candidate',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout);
    expect(run.status).toBe('saved');
    expect(run.savedVersion).toBe(2);
    const { story } = run;
    expect(story.split.train).toHaveLength(train.length);
    expect(story.split.heldOut).toHaveLength(heldOut.length);
    expect(story.start.train.passRate).toBe(0);
    const [round1, round2] = story.rounds;
    expect(round1.candidates.map((c: { status: string }) => c.status)).toEqual([
      'measured',
      'refused',
      'refused',
    ]);
    expect(round1.candidates[1].reason).toBe('uses undeclared variables: language');
    expect(round1.candidates[2].reason).toBe('drops declared variables: id');
    expect(round1).toMatchObject({ best: 'r1c1', kept: true });
    expect(round2.why).toBe('r1c1 passes every training case: nothing left to learn from');
    expect(story.verdict).toMatchObject({
      candidate: 'r1c1',
      saved: true,
      version: 2,
      gain: 1,
      signTest: { wins: heldOut.length, losses: 0, ties: 0 },
    });
    // No held-out case was ever shown to the optimizer.
    const asked = server.requests.filter((r) => isOptimizer(r.body));
    expect(asked).toHaveLength(1);
    const shown = String(asked[0]?.body.messages.at(-1)?.content);
    for (const id of HELD_OUT) expect(shown).not.toContain(`"id":"${id}"`);
    expect(shown).toContain(`"id":"${train[0]?.id}"`);

    // Every call names the optimization: the optimizer's, the start's and the candidate's.
    const linked = executionRows(env).filter((row) => row.optimizationId === run.id);
    expect(linked).toHaveLength(server.requests.length);
    expect(run.calls).toBe(server.requests.length);
    expect(linked.filter((row) => row.phase === 'optimize')).toHaveLength(1);
    // The start's calls name its version; a rewrite's, no version (it is not stored).
    expect(linked.filter((row) => row.promptVersionId !== null)).toHaveLength(CASES.length);
    const listed = JSON.parse((await cli('execution', 'list', '-n', '500', '--json')).stdout);
    const named = listed.filter((e: { optimizationId: string }) => e.optimizationId === run.id);
    expect(named).toHaveLength(server.requests.length);

    const versions = JSON.parse((await cli('prompt', 'versions', 'classify', '--json')).stdout);
    const saved = versions.find((v: { version: number }) => v.version === 2);
    expect(saved.message).toMatch(
      new RegExp(
        `^optimize ${run.id.slice(0, 8)}: r1c1 from v1 with eval.yaml; held out 0.0% → 100.0%`,
      ),
    );
    expect(saved.labels).toEqual(['candidate']);
    const shownPrompt = JSON.parse((await cli('prompt', 'show', 'classify', '--json')).stdout);
    expect(shownPrompt.body ?? shownPrompt.version?.body).toContain('Answer in CAPS');

    const show = await cli('optimize', 'show', run.id.slice(0, 6));
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Round 1 (from start)');
    expect(show.stdout).toMatch(/r1c2 +refused +uses undeclared variables: language/);
    expect(show.stdout).toContain('Saved as classify v2');
    const list = JSON.parse((await cli('optimize', 'list', '--json')).stdout);
    expect(list.map((o: { id: string }) => o.id)).toEqual([run.id]);
    // Its measurements are eval runs of their own, not runs of the eval.
    expect(JSON.parse((await cli('eval', 'list', '--json')).stdout)).toEqual([]);
  });

  it('does not save a rewrite that wins only on the training cases', async () => {
    const { cli } = await setUp(
      script({ [START]: [{ body: CAPS, rationale: 'capitals' }] }, (prompt, caseId) => {
        return prompt.includes('CAPS') && !HELD_OUT.has(caseId);
      }),
    );
    const result = await cli('optimize', 'run', 'classify', '--eval', 'eval.yaml', '--json');
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout);
    expect(run.status).toBe('not_saved');
    expect(run.savedVersion).toBeNull();
    expect(run.story.rounds[0]).toMatchObject({ best: 'r1c1', kept: true });
    expect(run.story.verdict).toMatchObject({
      candidate: 'r1c1',
      saved: false,
      gain: 0,
      signTest: { wins: 0, losses: 0, ties: heldOut.length, p: 1 },
      why: 'its held-out gain of +0.0 pts is below --min-gain +5.0 pts',
    });
    const versions = JSON.parse((await cli('prompt', 'versions', 'classify', '--json')).stdout);
    expect(versions).toHaveLength(1);
  });

  it('makes as many calls as the dry run says when every rewrite is measured', async () => {
    const half = 'Classify case {{id}}, carefully.';
    const { server, cli } = await setUp(
      script(
        {
          [START]: [
            { body: half, rationale: 'care' },
            { body: 'Classify case {{id}}!', rationale: 'emphasis' },
          ],
          [half]: [
            { body: CAPS, rationale: 'capitals' },
            { body: 'Classify case {{id}}, very carefully.', rationale: 'more care' },
          ],
        },
        (prompt, caseId) =>
          prompt.includes('CAPS') || (prompt.includes('carefully') && caseId < 'c24'),
      ),
    );
    const args = ['optimize', 'run', 'classify', '--eval', 'eval.yaml', '--rounds', '2'];
    const dry = await cli(...args, '--candidates', '2', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const { estimate } = JSON.parse(dry.stdout);
    expect(server.requests).toHaveLength(0);
    // The start on every case, two rounds of one request and two rewrites on train, the last
    // rewrite on the held-out cases.
    expect(estimate.calls).toBe(CASES.length + 2 * (1 + 2 * train.length) + heldOut.length);
    expect(estimate.maxCalls).toBe(estimate.calls + 2);
    expect(estimate.costUsd).toBeGreaterThan(0);

    const result = await cli(...args, '--candidates', '2', '--no-cache', '--json');
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout);
    expect(run.story.rounds.map((r: { best: string; kept: boolean }) => [r.best, r.kept])).toEqual([
      ['r1c1', true],
      ['r2c1', true],
    ]);
    expect(run.status).toBe('saved');
    expect(server.requests).toHaveLength(estimate.calls);
    expect(run.calls).toBe(estimate.calls);
    expect(run.costUsd).toBeLessThanOrEqual(estimate.costUsd);
  });

  it('stops before a call that could pass --max-cost or --max-calls, keeping what finished', async () => {
    const { server, env, cli } = await setUp(
      script({ [START]: [{ body: CAPS, rationale: 'capitals' }] }, (p) => p.includes('CAPS')),
    );
    const capped = await cli(
      'optimize',
      'run',
      'classify',
      '--eval',
      'eval.yaml',
      '--max-calls',
      '60',
      '--concurrency',
      '4',
      '--json',
    );
    expect(capped.code).toBe(1);
    expect(capped.stderr).toContain('The next call would pass --max-calls 60');
    const run = JSON.parse(capped.stdout);
    expect(run).toMatchObject({ status: 'stopped', error: { code: 'BUDGET' }, savedVersion: null });
    // The start on all 48 cases, the request, then 11 training cases of the rewrite.
    expect(server.requests).toHaveLength(60);
    expect(run.calls).toBe(60);
    expect(run.story.start.train.cells).toBe(train.length);
    expect(run.story.rounds[0].candidates[0].status).toBe('not_measured');

    // gpt-4o-mini at 50 answer tokens: a few thousandths of a cent per call at most.
    const before = server.requests.length;
    const cost = await cli(
      'optimize',
      'run',
      'classify',
      '--eval',
      'eval.yaml',
      '--max-cost',
      '0.0001',
      // A local optimizer, without a price: the limit is spent on the cases.
      '--optimizer-model',
      'local-llm',
      '--no-cache',
      '--json',
    );
    expect(cost.code).toBe(1);
    const stopped = JSON.parse(cost.stdout);
    expect(stopped.status).toBe('stopped');
    expect(stopped.error.message).toMatch(/could pass --max-cost 0.0001/);
    const made = server.requests.length - before;
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThan(CASES.length);
    const spent = executionRows(env)
      .filter((row) => row.optimizationId === stopped.id)
      .reduce((sum, row) => sum + Number(row.costUsd ?? 0), 0);
    expect(spent).toBeLessThanOrEqual(0.0001);
    expect(spent).toBeGreaterThan(0);
  });

  it('stops on Ctrl-C with exit 130, keeping what finished and saying where it stopped', async () => {
    const { server, env, home, cli } = await setUp((request) => {
      if (isOptimizer(request)) {
        return { content: JSON.stringify({ candidates: [{ body: CAPS, rationale: 'capitals' }] }) };
      }
      const caps = String(request.messages.at(-1)?.content).includes('CAPS');
      return caps ? { content: 'LABEL', delayMs: 1_500 } : { content: 'no' };
    });
    const args = [BIN, 'optimize', 'run', 'classify', '--eval', 'eval.yaml', '--json'];
    const child = spawn(process.execPath, args, { env, cwd: home });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Wait until the rewrite is being measured.
    const measuring = () =>
      server.requests.some((r) => String(r.body.messages.at(-1)?.content).includes('CAPS'));
    while (!measuring()) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    const run = JSON.parse(stdout);
    expect(run).toMatchObject({
      status: 'cancelled',
      savedVersion: null,
      error: { exitCode: 130 },
    });
    expect(run.story.start.train.cells).toBe(train.length);
    expect(run.story.rounds[0].candidates[0].status).toBe('not_measured');
    const show = await cli('optimize', 'show', run.id.slice(0, 8));
    expect(show.stdout).toMatch(/r1c1 +not measured +capitals/);
    expect(show.stdout).toContain('→ stopped here');
    expect(show.stdout).toContain(
      `Ended early: Cancelled: optimization ${run.id.slice(0, 8)} keeps what finished`,
    );
    const versions = JSON.parse((await cli('prompt', 'versions', 'classify', '--json')).stdout);
    expect(versions).toHaveLength(1);
  });

  it('refuses a held-out part too small to show a win, and bad options, before any call', async () => {
    const { server, home, cli } = await setUp(script({}, () => false));
    const few = await cli('optimize', 'run', 'classify', '--eval', 'eval.yaml', '--split', '0.9');
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/Only \d of the 48 cases are held out: at least 10 are needed/);
    const split = await cli('optimize', 'run', 'classify', '--eval', 'eval.yaml', '--split', '1');
    expect(split.code).toBe(2);
    expect(split.stderr).toContain('Invalid --split "1"');
    const label = await cli('optimize', 'run', 'classify', '--eval', 'eval.yaml', '--label', 'a b');
    expect(label.code).toBe(2);
    const missing = await cli('optimize', 'run', 'nope', '--eval', 'eval.yaml', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('NOT_FOUND');
    // A cost limit needs a limit on every priced answer.
    writeFileSync(
      join(home, 'eval.yaml'),
      `prompts: [classify]\nmodels: [gpt-4o-mini]\ncases:\n${CASES.map((c) => `  - vars: { id: ${c.id} }`).join('\n')}\n`,
    );
    const unbounded = await cli(
      'optimize',
      'run',
      'classify',
      '--eval',
      'eval.yaml',
      '--max-cost',
      '1',
    );
    expect(unbounded.code).toBe(2);
    expect(unbounded.stderr).toContain(
      '--max-cost needs a limit on every priced answer: gpt-4o-mini',
    );
    // Nor can a cost limit below one request to the optimizer be kept.
    writeFileSync(
      join(home, 'eval.yaml'),
      `prompts: [classify]\nmodels: [{ model: gpt-4o-mini, maxTokens: 50 }]\ncases:\n${CASES.map((c) => `  - vars: { id: ${c.id} }`).join('\n')}\n`,
    );
    const tiny = await cli(
      'optimize',
      'run',
      'classify',
      '--eval',
      'eval.yaml',
      '--max-cost',
      '0.0001',
    );
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toMatch(
      /--max-cost 0.0001 cannot pay for one request to the optimizer \(up to \$0\.00\d+\)/,
    );
    expect(server.requests).toHaveLength(0);
    expect(JSON.parse((await cli('optimize', 'list', '--json')).stdout)).toEqual([]);
  });
});
