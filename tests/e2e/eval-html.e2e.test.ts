// The HTML report of an eval in a real browser: Debian's Chromium driven by playwright-core
// (.ci/run installs it). The file opens from disk with no network, filters to the failing
// cases, and shows each cell's answer and reasons.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// On a machine without Chromium the test is skipped; in CI it must run.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('eval HTML report in Chromium', () => {
  it('opens without network, filters to failures, and shows a cell', async () => {
    const server = await modelServer((request) => ({
      content: `Reply <b>to</b> ${request.messages.at(-1)?.content}`,
    }));
    const home = tempDir();
    const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    await cli('project', 'create', 'app');
    await cli('prompt', 'create', 'p', '--body', 'Tell {{name}}');
    writeFileSync(
      join(home, 'e.yaml'),
      `prompts: [p]
cases:
  - { id: ada, vars: { name: Ada }, assert: [{ type: contains, value: Ada }] }
  - { id: bo, vars: { name: Bo }, assert: [{ type: contains, value: Zed }] }
  - { id: cy, vars: { name: Cy }, assert: [{ type: contains, value: Cy }] }
threshold: 0.5
`,
    );
    const run = await cli('eval', 'run', 'e.yaml', '-o', 'report.html');
    expect(run.code, run.stderr).toBe(0);

    // launch() gives the browser a fresh profile folder of its own.
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(join(home, 'report.html')).href);
      expect(await page.locator('h1').textContent()).toBe('Eval e: passed');
      expect(await page.locator('#summary').textContent()).toContain('66.7% (2/3)');
      expect(await page.locator('tr.case:visible').count()).toBe(3);

      await page.locator('#only-failing').check();
      expect(await page.locator('tr.case:visible').count()).toBe(1);
      expect(await page.locator('#shown').textContent()).toBe('1');
      const failing = page.locator('tr.case:visible td.cell');
      expect(await failing.locator('pre.output').textContent()).toBe('Reply <b>to</b> Tell Bo');
      expect(await failing.locator('li.fail').textContent()).toBe(
        'contains: does not contain "Zed"',
      );

      await page.locator('#only-failing').uncheck();
      await page.locator('#search').fill('cy');
      expect(await page.locator('tr.case:visible th').textContent()).toBe('cy');
      // The page loaded itself and nothing else, and ran without errors.
      expect(requests).toEqual([pathToFileURL(join(home, 'report.html')).href]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
