// The floor for a workflow run with the libraries prompt-runner uses: read the YAML (yaml),
// render each step (handlebars), call the model (openai, built-in fetch) as soon as the steps
// it refers to are done; no validation, database, records or cache.
// Usage: node bare-workflow.mjs <file.yaml> <baseURL> key=value…
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import OpenAI from 'openai';
import { parse } from 'yaml';

const [file, baseURL, ...pairs] = process.argv.slice(2);
const inputs = Object.fromEntries(pairs.map((pair) => pair.split('=')));
const workflow = parse(readFileSync(file, 'utf8'));
const client = new OpenAI({ baseURL, apiKey: 'no-key-needed', maxRetries: 0 });

const done = new Map();
const started = new Map();
function runStep(step) {
  if (!started.has(step.id)) {
    const needs = [...step.template.matchAll(/steps\.([\w-]+)\.output/g)].map((m) => m[1]);
    started.set(
      step.id,
      (async () => {
        await Promise.all(needs.map((id) => runStep(workflow.steps.find((s) => s.id === id))));
        const steps = Object.fromEntries([...done].map(([id, output]) => [id, { output }]));
        const content = Handlebars.compile(step.template, { noEscape: true })({ inputs, steps });
        const response = await client.chat.completions.create({
          model: 'bench-model',
          messages: [{ role: 'user', content }],
        });
        done.set(step.id, response.choices[0]?.message.content ?? '');
      })(),
    );
  }
  return started.get(step.id);
}
await Promise.all(workflow.steps.map(runStep));
process.stdout.write(`${JSON.stringify(Object.fromEntries(done))}\n`);
