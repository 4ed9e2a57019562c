// The code cache, on this Node and on Node 24: `--version`, `project list --json` (20
// projects) and a 12-step workflow run (the server answering at once, so the CLI's own time
// shows), each without a cache and with each cache the Node can run, side by side: the CLI's
// own (src/core/code-cache.ts, the only one on Node 20) and Node's compile cache (22.1 on).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from './harness.mjs';
import { otherNode } from './other-node.mjs';
import { benchProject, bin, runs } from './setup.mjs';
import { definition } from './workflow.mjs';

const OTHER_NODE = process.env.BENCH_OTHER_NODE ?? '24.22.3';

function commands(file) {
  return {
    version: ['--version'],
    'project list': ['project', 'list', '--json'],
    'workflow run': ['workflow', 'run', file, '--input', 'topic=t', '--no-cache', '--json'],
  };
}

/** The caches a Node can run: Node's compile cache from 22.1 on, the CLI's own on any. */
function kinds(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1) ? ['off', 'node', 'own'] : ['off', 'own'];
}

const KIND_NAMES = { off: 'no cache', node: "Node's compile cache", own: 'own cache' };

export async function benchCodeCache() {
  const { env, cli, home, remove } = await benchProject();
  try {
    for (let i = 1; i < 20; i++) cli('project', 'create', `bench-${i}`);
    const file = join(home, 'bench.yaml');
    writeFileSync(file, definition());
    const nodes = [{ version: process.versions.node, node: process.execPath, bin }];
    const other = otherNode(OTHER_NODE);
    if (other.error) console.log(`\nCode cache on Node ${OTHER_NODE}: skipped (${other.error})`);
    else nodes.push(other);

    console.log(
      '\nCode cache: each command without a cache and with each (medians, ratio to none)',
    );
    const ratios = {};
    for (const { version, node, bin: entry } of nodes) {
      const cases = [];
      for (const [name, args] of Object.entries(commands(file))) {
        for (const kind of kinds(version)) {
          cases.push({
            name: `${name} ${kind}`,
            command: node,
            args: [entry, ...args],
            env: { ...env, PROMPT_RUNNER_CODE_CACHE: kind },
          });
        }
      }
      const medians = compare(cases, { runs });
      for (const name of Object.keys(commands(file))) {
        const none = medians[`${name} off`];
        const cells = kinds(version)
          .slice(1)
          .map((kind) => {
            const ratio = medians[`${name} ${kind}`] / none;
            ratios[`${camel(`cache ${version.split('.')[0]} ${name} ${kind}`)}`] = ratio;
            return `${KIND_NAMES[kind]} ${medians[`${name} ${kind}`].toFixed(0)} ms (${ratio.toFixed(2)}x)`;
          });
        console.log(
          `  Node ${version.padEnd(8)} ${name.padEnd(13)} none ${none.toFixed(0)} ms; ${cells.join('; ')}`,
        );
      }
    }
    return ratios;
  } finally {
    remove();
  }
}

function camel(words) {
  return words.replace(/ (.)/g, (_m, c) => c.toUpperCase());
}
