// A team's shared PostgreSQL store through the built binary: the password shown nowhere,
// each machine's own project roots, who made each call, a connection lost mid-run, and
// copies between SQLite and PostgreSQL. Runs in the `postgresql` project of the tests.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { freshPostgresUrl, TEST_ENGINE } from '../support/postgres.js';
import { storeText } from '../support/store-rows.js';
import { tempDir } from '../support/temp.js';

const PASSWORD = 'pa55-w0rd-never-shown';

/** The URL with a password (the test server trusts loopback, so any password is accepted). */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.href;
}

/** One teammate's machine: its own home (config), the shared store in PROMPT_RUNNER_DB. */
function machine(store: string, extra: NodeJS.ProcessEnv = {}) {
  const home = tempDir();
  const env = testEnv(home, { PROMPT_RUNNER_DB: store, ...extra });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  return { home, env, cli };
}

/** A TCP relay to the test server that can be cut, as a network outage would. */
async function relay(target: string): Promise<{ url: string; cut(): Promise<void> }> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const server = connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target);
  url.port = String(port);
  return {
    url: url.href,
    cut: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.runIf(TEST_ENGINE === 'postgresql')('a shared PostgreSQL store', () => {
  it('never shows, stores or keeps the password of its URL', async () => {
    const store = withPassword(freshPostgresUrl());
    const { cli, env, home } = machine(store);
    const outputs = [
      await cli('project', 'create', 'app', '--verbose'),
      await cli('db', 'path'),
      await cli('db', 'path', '--json'),
      await cli('db', 'migrate', '--json'),
      await cli('config', 'list', '--json'),
      await cli('config', 'get', 'database'),
    ];
    expect(JSON.parse(outputs[2]?.stdout ?? '')).toMatchObject({
      engine: 'postgresql',
      exists: null,
      path: expect.stringContaining(':****@127.0.0.1:'),
    });
    expect(outputs[1]?.stdout).toMatch(/^postgresql:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/test_/);

    // Kept in the config file only without a password: refused, not echoed, nothing written.
    const refused = await cli('config', 'set', 'database', store);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/a URL kept in the config file must not hold a password/);
    // An unreachable server: the error names the store, masked.
    const unreachable = await runBinary(['project', 'list', '--json'], {
      env: { ...env, PROMPT_RUNNER_DB: 'postgresql://ann:pa55-w0rd-never-shown@127.0.0.1:1/x' },
      cwd: home,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(
      'Error: Cannot reach the PostgreSQL server of postgresql://ann:****@127.0.0.1:1/x (check the host and port in the URL, that the server runs and accepts connections from here, and its sslmode)\n',
    );
    expect(JSON.parse(unreachable.stdout).error.code).toBe('DB_UNREACHABLE');
    for (const { stdout, stderr } of [...outputs, refused, unreachable]) {
      expect(stdout + stderr).not.toContain(PASSWORD);
    }
    const config = join(home, 'config.json');
    expect(existsSync(config) ? readFileSync(config, 'utf8') : '').not.toContain(PASSWORD);
    expect(storeText(env)).not.toContain(PASSWORD);

    // Without a password, the config may name the store: every command then uses it.
    const plain = freshPostgresUrl();
    const other = machine('');
    delete other.env.PROMPT_RUNNER_DB;
    expect((await other.cli('config', 'set', 'database', plain)).code).toBe(0);
    expect((await other.cli('project', 'create', 'web')).code).toBe(0);
    expect((await other.cli('db', 'path')).stdout.trim()).toBe(plain);
    const again = machine(plain);
    expect(JSON.parse((await again.cli('project', 'list', '--json')).stdout)).toMatchObject([
      { name: 'web' },
    ]);
  });

  it("keeps each machine's checkout of a project, and records who made each call", async () => {
    const server = await modelServer((body) => ({ content: `re: ${body.messages[0]?.content}` }));
    const storeUrl = freshPostgresUrl();
    const model = { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' };
    const ann = machine(storeUrl, { ...model, PROMPT_RUNNER_USER: 'ann' });
    const bob = machine(storeUrl, { ...model, PROMPT_RUNNER_USER: 'bob\u001b[31m' });
    const eve = machine(storeUrl, model);
    for (const m of [ann, bob]) mkdirSync(join(m.home, 'src'));
    expect((await ann.cli('project', 'create', 'app', '--root', 'src')).code).toBe(0);
    expect((await bob.cli('project', 'update', 'app', '--root', 'src')).code).toBe(0);
    const root = async (m: typeof ann) =>
      JSON.parse((await m.cli('project', 'show', 'app', '--json')).stdout).rootPath;
    expect(await root(ann)).toBe(join(ann.home, 'src'));
    expect(await root(bob)).toBe(join(bob.home, 'src'));
    // A teammate who set no root gets the team's default: the one the project was made with.
    expect(await root(eve)).toBe(join(ann.home, 'src'));
    const store = new URL(storeUrl);
    expect(JSON.parse(readFileSync(join(bob.home, 'config.json'), 'utf8')).projectRoots).toEqual({
      [`${store.hostname}:${store.port}${store.pathname}`]: { app: join(bob.home, 'src') },
    });

    await ann.cli('prompt', 'create', 'p', '--body', 'Say {{word}}');
    expect((await ann.cli('prompt', 'run', 'p', '--var', 'word=hi')).code).toBe(0);
    expect((await bob.cli('prompt', 'run', 'p', '--var', 'word=yo', '--no-cache')).code).toBe(0);
    const calls = JSON.parse((await eve.cli('execution', 'list', '--json')).stdout) as {
      user: string;
    }[];
    // Control characters are not kept.
    expect(calls.map((c) => c.user).sort()).toEqual(['ann', 'bob[31m']);
  });

  it('fails clearly when the connection is lost mid-run, and the run resumes', async () => {
    const server = await modelServer(async (body) => {
      const word = body.messages.at(-1)?.content.split(' ')[0] ?? '';
      if (word === 'SECOND') await new Promise((resolve) => setTimeout(resolve, 1500));
      return { content: `${word.toLowerCase()} done` };
    });
    const direct = freshPostgresUrl();
    const link = await relay(direct);
    const { cli, home, env } = machine(link.url, {
      OPENAI_BASE_URL: server.url,
      PROMPT_RUNNER_PROJECT: 'app',
    });
    writeFileSync(
      join(home, 'chain.yaml'),
      'name: chain\nsteps:\n  - id: first\n    template: "FIRST"\n  - id: second\n    template: "SECOND {{steps.first.output}}"\n',
    );
    await cli('project', 'create', 'app');
    await cli('workflow', 'create', 'chain', '--file', 'chain.yaml');
    const running = cli('workflow', 'run', 'chain');
    while (!server.requests.some((r) => r.body.messages.at(-1)?.content.startsWith('SECOND'))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await link.cut();
    const lost = await running;
    expect(lost.code).toBe(1);
    // The steps' progress lines, then one line of error.
    expect(lost.stderr.trim().split('\n').at(-1)).toMatch(
      /^Error: .*(The connection to .* was lost|Cannot reach the PostgreSQL server)/,
    );
    expect(lost.stderr).not.toMatch(/\n\s+at /);

    // The server is reachable again (directly): the run is found and finished.
    const back = { ...env, PROMPT_RUNNER_DB: direct };
    const runs = await runBinary(['workflow', 'runs', '--json'], { env: back, cwd: home });
    const [run] = JSON.parse(runs.stdout);
    expect(run.status).toMatch(/interrupted|failed/);
    const resumed = await runBinary(['workflow', 'resume', run.runId, '--json'], {
      env: back,
      cwd: home,
    });
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'succeeded' });
  });

  it('copies a laptop store into the team store and back, refusing a store in use', async () => {
    const laptop = machine(join(tempDir(), 'laptop.db'));
    await laptop.cli('project', 'create', 'app');
    await laptop.cli('prompt', 'create', 'p', '-p', 'app', '--body', 'Hi {{name}}');
    const team = freshPostgresUrl();
    const copied = await laptop.cli('db', 'copy', '--to', team, '--json');
    expect(copied.code).toBe(0);
    expect(JSON.parse(copied.stdout)).toMatchObject({
      to: team,
      tables: { project: 1, prompt: 1, promptVersion: 1 },
    });
    const again = await laptop.cli('db', 'copy', '--to', team);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /is not empty \(3 rows, in project, prompt, promptVersion\): nothing was copied/,
    );

    const member = machine(team);
    const back = join(tempDir(), 'back.db');
    expect((await member.cli('db', 'copy', '--to', back)).stdout).toMatch(/Copied 3 rows to /);
    const reread = machine(back);
    expect(
      JSON.parse((await reread.cli('prompt', 'list', '-p', 'app', '--json')).stdout),
    ).toMatchObject([{ name: 'p' }]);
    const self = await member.cli('db', 'copy', '--to', team);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/names the store in use/);
    // A link, dangling or not, is not written through.
    const link = join(tempDir(), 'link.db');
    symlinkSync(join(tempDir(), 'elsewhere.db'), link);
    const linked = await member.cli('db', 'copy', '--to', link);
    expect(linked).toMatchObject({ code: 2, stdout: '' });
    expect(linked.stderr).toBe(
      `Error: ${link} is a symbolic link: db copy does not write through it (name the file itself, or a new file)\n`,
    );
  });
});
