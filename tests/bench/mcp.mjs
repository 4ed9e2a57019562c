// MCP server: from spawn to a completed `initialize`, beside `--version` (both interleaved);
// `prompts/get` p50 and p95 over 200 calls on one server, beside a `prompt render` process.
import { spawn } from 'node:child_process';
import { median, timeOnce } from './harness.mjs';
import { benchHome, bin, runs } from './setup.mjs';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'bench', version: '1' },
  },
};

/** A server on stdio: `call` sends a request and resolves with its answer. */
function startMcp(env) {
  const child = spawn(process.execPath, [bin, 'mcp', '-p', 'bench'], {
    env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const waiting = new Map();
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const answer = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      waiting.get(answer.id)?.(answer);
    }
  });
  let next = 1;
  const call = (message) =>
    new Promise((resolve) => {
      const id = message.id ?? next++;
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  const stop = () =>
    new Promise((resolve) => {
      child.once('close', resolve);
      child.stdin.end();
    });
  return { call, stop };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchMcp() {
  const { env, cli, remove } = benchHome();
  try {
    cli('project', 'create', 'bench');
    cli(
      'prompt',
      'create',
      'greet',
      '-p',
      'bench',
      '--body',
      'Hello {{name}}, about {{topic}}',
      '--system',
      'Be brief.',
    );
    const version = [];
    const initialize = [];
    for (let i = 0; i < runs + 3; i++) {
      const ms = timeOnce('node', [bin, '--version'], env);
      const start = process.hrtime.bigint();
      const server = startMcp(env);
      await server.call(INITIALIZE);
      const spent = Number(process.hrtime.bigint() - start) / 1e6;
      await server.stop();
      if (i >= 3) {
        version.push(ms);
        initialize.push(spent);
      }
    }
    const render = [];
    for (let i = 0; i < Math.min(runs, 15); i++) {
      render.push(
        timeOnce(
          'node',
          [
            bin,
            'prompt',
            'render',
            'greet',
            '-p',
            'bench',
            '--var',
            'name=Ada',
            '--var',
            'topic=x',
          ],
          env,
        ),
      );
    }
    const server = startMcp(env);
    await server.call(INITIALIZE);
    const gets = [];
    for (let i = 0; i < 220; i++) {
      const start = process.hrtime.bigint();
      await server.call({
        jsonrpc: '2.0',
        method: 'prompts/get',
        params: { name: 'greet', arguments: { name: `N${i}`, topic: 'x' } },
      });
      if (i >= 20) gets.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await server.stop();
    const ratio = median(initialize) / median(version);
    console.log('\nMCP server: spawn to a completed initialize, beside --version');
    console.log(`  prompt-runner --version                      ${median(version).toFixed(1)} ms`);
    console.log(
      `  prompt-runner mcp, initialize answered       ${median(initialize).toFixed(1)} ms`,
    );
    console.log(
      `  ratio ${ratio.toFixed(2)}x (target <= 1.5x): ${ratio <= 1.5 ? 'within target' : 'OVER TARGET'}`,
    );
    const p50 = percentile(gets, 50);
    console.log('\nMCP prompts/get over 200 calls on one server, beside a prompt render process');
    console.log(`  prompt-runner prompt render (a process)      ${median(render).toFixed(1)} ms`);
    console.log(`  prompts/get p50                              ${p50.toFixed(2)} ms`);
    console.log(
      `  prompts/get p95                              ${percentile(gets, 95).toFixed(2)} ms`,
    );
    console.log(`  p50 target <= 5 ms: ${p50 <= 5 ? 'within target' : 'OVER TARGET'}`);
    return { mcpInitialize: ratio, mcpGetP50Ms: p50 };
  } finally {
    remove();
  }
}
