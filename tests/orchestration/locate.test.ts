// The locate step's answer: only files of the codebase are taken, whatever the model names.
import { describe, expect, it } from 'vitest';
import { MAX_LOCATED_FILES, parseLocateAnswer } from '../../src/orchestration/locate.js';

const PATHS = ['src/a.ts', 'src/b.ts', '.env', 'config/credentials.json'];

describe('parseLocateAnswer', () => {
  it('takes the files of the codebase with their symbols, and refuses the rest with the reason', async () => {
    const answer = JSON.stringify({
      files: [
        { path: './src/a.ts', symbols: ['run'], why: 'the entry point' },
        { path: 'src/a.ts', symbols: ['again'] },
        { path: '../../etc/passwd' },
        { path: '/etc/hosts' },
        { path: '.env' },
        { path: 'config/credentials.json' },
        { path: 'src/missing.ts' },
        { path: 'src/b.ts' },
      ],
    });
    const result = await parseLocateAnswer(`Sure:\n\`\`\`json\n${answer}\n\`\`\``, PATHS);
    expect(result.files).toEqual([
      { path: 'src/a.ts', symbols: ['run'], why: 'the entry point' },
      { path: 'src/b.ts', symbols: [] },
    ]);
    expect(result.refused).toEqual([
      {
        path: '../../etc/passwd',
        reason: 'named by the model, refused: not a file of the codebase',
      },
      { path: '/etc/hosts', reason: 'named by the model, refused: not a file of the codebase' },
      { path: '.env', reason: 'named by the model, refused: may hold secrets' },
      { path: 'config/credentials.json', reason: 'named by the model, refused: may hold secrets' },
      { path: 'src/missing.ts', reason: 'named by the model, refused: not a file of the codebase' },
    ]);
  });

  it('keeps at most a fixed number of files and repairs slightly broken JSON', async () => {
    const paths = Array.from({ length: 30 }, (_, i) => `f${i}.ts`);
    const answer = `{"files": [${paths.map((p) => `{"path": "${p}"}`).join(', ')},]}`;
    expect((await parseLocateAnswer(answer, paths)).files).toHaveLength(MAX_LOCATED_FILES);
  });

  it('refuses an answer that is not the expected shape', async () => {
    await expect(parseLocateAnswer('no idea', PATHS)).rejects.toThrow('the answer holds no JSON');
    await expect(parseLocateAnswer('{"paths": ["src/a.ts"]}', PATHS)).rejects.toThrow(
      'the answer is not {"files": [{"path", "symbols"}]}',
    );
  });
});
