// `npm run bench`: every benchmark, each measured side by side with its baseline in one run.
// BENCH_ONLY=startup,cache,batch,eval,mcp,scale,workflow,context,retrieval,recall picks some (recall runs only
// when named); BENCH_RUNS sets the repetitions.
import { benchBatch } from './batch.mjs';
import { benchCodeCache } from './code-cache.mjs';
import { benchContext } from './context.mjs';
import { benchEval } from './eval.mjs';
import { benchMcp } from './mcp.mjs';
import { benchRetrieval } from './retrieval.mjs';
import { benchScale } from './scale.mjs';
import { benchStartup } from './startup.mjs';
import { benchWorkflow } from './workflow.mjs';

const benches = {
  startup: benchStartup,
  cache: benchCodeCache,
  batch: benchBatch,
  eval: benchEval,
  mcp: benchMcp,
  scale: benchScale,
  workflow: benchWorkflow,
  context: benchContext,
  retrieval: benchRetrieval,
  recall: () => import('./recall.mjs').then((recall) => recall.benchRecall()), // on request only
};
const only =
  process.env.BENCH_ONLY?.split(',') ?? Object.keys(benches).filter((name) => name !== 'recall');
const summary = {};
for (const name of only) {
  const bench = benches[name];
  if (!bench)
    throw new Error(`Unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
  Object.assign(summary, await bench());
}
console.log(
  '\nRatios:',
  JSON.stringify(summary, (_k, v) => (typeof v === 'number' ? Number(v.toFixed(2)) : v)),
);
