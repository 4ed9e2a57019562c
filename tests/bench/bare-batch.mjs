// The floor for a batch: the same calls with the openai client, bounded concurrency, and no
// templates, database or cache. Usage: node bare-batch.mjs <baseURL> <calls> <concurrency>
import OpenAI from 'openai';
import pLimit from 'p-limit';

const [baseURL, calls, concurrency] = [
  process.argv[2],
  Number(process.argv[3]),
  Number(process.argv[4]),
];
const client = new OpenAI({ baseURL, apiKey: 'no-key-needed', maxRetries: 0 });
const limit = pLimit(concurrency);
const results = await Promise.all(
  Array.from({ length: calls }, (_, i) =>
    limit(async () => {
      const response = await client.chat.completions.create({
        model: 'bench-model',
        messages: [{ role: 'user', content: `Summarise case ${i}` }],
      });
      return JSON.stringify({ line: i + 1, output: response.choices[0]?.message.content });
    }),
  ),
);
process.stdout.write(`${results.join('\n')}\n`);
