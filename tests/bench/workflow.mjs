// A 12-step workflow, 4 parallel branches of 3 steps, against a local server answering after
// 200 ms: its wall time against its critical path (3 × 200 ms) plus the CLI's start with the
// database (`project list --json`). For scale, a bare script runs the same steps with the same
// libraries (yaml, handlebars, openai) and nothing else, in the same rounds, and the CLI runs
// once more per round without its code cache, as on a first run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, timeOnce } from './harness.mjs';
import { benchProject, bin, NO_CODE_CACHE, root, runs } from './setup.mjs';

const DELAY_MS = 200;
const BRANCHES = 4;
const DEPTH = 3;

/** The workflow file: BRANCHES parallel branches of DEPTH steps, each step using the last. */
export function definition() {
  const steps = [];
  for (let b = 1; b <= BRANCHES; b++) {
    for (let d = 1; d <= DEPTH; d++) {
      const input = d === 1 ? '{{inputs.topic}}' : `{{steps.b${b}s${d - 1}.output}}`;
      steps.push(`  - id: b${b}s${d}\n    template: "Branch ${b} step ${d}: ${input}"`);
    }
  }
  return `name: bench\ninputs:\n  topic: { type: string }\nsteps:\n${steps.join('\n')}\n`;
}

export async function benchWorkflow() {
  const { env, home, remove, url } = await benchProject(['--delay', String(DELAY_MS)]);
  try {
    const file = join(home, 'bench.yaml');
    writeFileSync(file, definition());
    const rounds = Math.max(3, Math.round(runs / 5));
    const samples = { start: [], workflow: [], bare: [], cold: [] };
    const bare = join(root, 'tests', 'bench', 'bare-workflow.mjs');
    const workflow = (round) => [
      bin,
      'workflow',
      'run',
      file,
      '--input',
      `topic=t${round}`,
      '--no-cache',
      '--concurrency',
      '4',
      '--json',
    ];
    // Round 0 warms up: it makes the CLI's code cache for both commands.
    for (let round = 0; round <= rounds; round++) {
      const start = timeOnce('node', [bin, 'project', 'list', '--json'], env);
      const bareMs = timeOnce('node', [bare, file, url, `topic=t${round}`], env);
      const workflowMs = timeOnce('node', workflow(round), env);
      const coldMs = timeOnce('node', workflow(round), { ...env, ...NO_CODE_CACHE });
      if (round === 0) continue;
      samples.start.push(start);
      samples.bare.push(bareMs);
      samples.workflow.push(workflowMs);
      samples.cold.push(coldMs);
    }
    const start = median(samples.start);
    const wall = median(samples.workflow);
    const bareWall = median(samples.bare);
    const cold = median(samples.cold);
    const floor = DEPTH * DELAY_MS + start;
    const ratio = wall / floor;
    console.log(
      `\nWorkflow: ${BRANCHES * DEPTH} steps in ${BRANCHES} parallel branches, answers after ${DELAY_MS} ms`,
    );
    console.log(`  CLI start with the database (project list)  ${start.toFixed(0)} ms`);
    console.log(
      `  critical path ${DEPTH} × ${DELAY_MS} ms + start           ${floor.toFixed(0)} ms`,
    );
    console.log(`  workflow run                               ${wall.toFixed(0)} ms`);
    console.log(
      `  workflow run without the code cache         ${cold.toFixed(0)} ms (${(cold / floor).toFixed(2)}x)`,
    );
    console.log(
      `  bare script, same libraries, no database   ${bareWall.toFixed(0)} ms (${(bareWall / floor).toFixed(2)}x; the CLI ${(wall / bareWall).toFixed(2)}x of it)`,
    );
    console.log(
      `  ratio ${ratio.toFixed(2)}x (target <= 1.15x): ${ratio <= 1.15 ? 'within target' : 'OVER TARGET'}`,
    );
    return { workflow: ratio, workflowFirstRun: cold / floor, workflowBare: bareWall / floor };
  } finally {
    remove();
  }
}
