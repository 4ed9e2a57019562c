// The locate step of `orchestrate analyze`: the model names the files it needs from the ranked
// map; a good answer puts them first, an unusable one leaves the ranking to choose, and files
// outside the root or holding secrets are refused whatever the model says.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { ChatRequestBody } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

const PLAN = `<analysis_template>
Analyse "{{featureRequest}}".
{{codebaseContext}}
</analysis_template>
<implementation_template>
Plan from {{analysisResults}}
</implementation_template>`;

const FILES: Record<string, string> = {
  'README.md': '# Shop\n',
  'src/cart/checkout.ts':
    "import { chargeCard } from '../payments/charge.js';\n\n/** Turns a cart into an order. */\nexport function checkoutCart(cart: string[]) {\n  return chargeCard(cart.length);\n}\n",
  'src/payments/charge.ts': 'export function chargeCard(amount: number) {\n  return amount;\n}\n',
  // Nothing in it names the request: only the model can ask for it.
  'src/mail/templates.ts':
    'export function renderOrderSummary(order: string) {\n  return "Thanks for " + order;\n}\n\nexport function renderWelcome() {\n  return "hi";\n}\n',
  '.env': 'STRIPE_KEY=sk-live-SECRET\n',
};

async function setup(locateAnswer: string) {
  const server = await modelServer((body: ChatRequestBody) => {
    const prompt = body.messages.at(-1)?.content ?? '';
    if (prompt.includes('<analysis_template>')) return { content: PLAN };
    if (prompt.startsWith('You are choosing the code')) return { content: locateAnswer };
    if (prompt.startsWith('Analyse'))
      return { content: 'Fine.\nComplexity: low\nTime estimate: 1 day' };
    return { content: 'unexpected' };
  });
  const home = tempDir();
  const code = join(home, 'shop');
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(code, path, '..'), { recursive: true });
    writeFileSync(join(code, path), text);
  }
  const env = testEnv(home, { OPENAI_BASE_URL: server.url });
  const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
  await cli('project', 'create', 'shop', '--root', 'shop');
  const planned = await cli(
    'orchestrate',
    'plan',
    'send a receipt email after checkout',
    '-p',
    'shop',
    '--json',
  );
  const id = JSON.parse(planned.stdout).sessionId as string;
  const prompts = () => server.requests.map((r) => r.body.messages.at(-1)?.content ?? '');
  return { cli, id, prompts };
}

describe('orchestrate analyze: the locate step', () => {
  it('asks the model which files it needs, puts them first, and records the call', async () => {
    const answer = JSON.stringify({
      files: [
        {
          path: 'src/mail/templates.ts',
          symbols: ['renderOrderSummary'],
          why: 'the text of the email',
        },
        { path: '../outside.txt', symbols: [] },
        { path: '.env', symbols: [] },
      ],
    });
    const { cli, id, prompts } = await setup(`Here you go:\n\`\`\`json\n${answer}\n\`\`\``);
    const analyzed = await cli('orchestrate', 'analyze', id);
    expect(analyzed.code).toBe(0);
    expect(analyzed.stderr).toBe('');
    const [, locate, analysis] = prompts();
    expect(locate).toContain('# Feature request\nsend a receipt email after checkout');
    expect(locate).toMatch(
      /src\/cart\/checkout\.ts\n {2}4\| export function checkoutCart\(cart: string\[\]\)/,
    );
    expect(analysis).toContain('=== src/mail/templates.ts (whole file, 7 lines) ===');
    expect(analysis).not.toContain('sk-live-SECRET');
    const shown = JSON.parse((await cli('orchestrate', 'show', id, '--json')).stdout);
    const reasons = Object.fromEntries(
      shown.context.files.map((f: { path: string; reason: string }) => [f.path, f.reason]),
    );
    expect(reasons['src/mail/templates.ts']).toBe('locate');
    expect(reasons['src/cart/checkout.ts']).toBe('ranked');
    expect(shown.phases.map((p: { phase: string }) => p.phase)).toEqual([
      'plan',
      'locate',
      'analyze',
    ]);
  });

  it('falls back to the ranking, with a warning, when the answer cannot be used', async () => {
    const { cli, id, prompts } = await setup('I would look at the checkout code.');
    const analyzed = await cli('orchestrate', 'analyze', id);
    expect(analyzed.code).toBe(0);
    expect(analyzed.stderr).toBe(
      "Warning: The locate step's answer could not be used (the answer holds no JSON): the ranking alone chose the files\n",
    );
    expect(prompts()[2]).toContain('=== src/cart/checkout.ts (whole file, 6 lines) ===');
    expect(prompts()[2]).not.toContain('renderOrderSummary');
  });

  it('skips the step with --no-locate', async () => {
    const { cli, id, prompts } = await setup('{"files": []}');
    expect((await cli('orchestrate', 'analyze', id, '--no-locate')).code).toBe(0);
    expect(prompts()).toHaveLength(2);
    expect(prompts()[1]).toMatch(/^Analyse/);
  });
});
