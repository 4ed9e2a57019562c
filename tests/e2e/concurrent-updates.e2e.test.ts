// Read-modify-write commands run at the same moment by several processes: no change is lost.
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('concurrent updates (built binary)', () => {
  it('two prompt updates at once both land: the latest version holds both changes', async () => {
    const home = tempDir();
    const env = testEnv(home, { PROMPT_RUNNER_PROJECT: 'app' });
    const cli = (args: string[]) => runBinary(args, { env, cwd: home });
    await cli(['project', 'create', 'app']);
    await cli(['prompt', 'create', 'p', '--body', 'hi']);
    for (let round = 1; round <= 20; round++) {
      const temperature = String(round / 10);
      const [system, temp] = await Promise.all([
        cli(['prompt', 'update', 'p', '--system', `s${round}`]),
        cli(['prompt', 'update', 'p', '--temperature', temperature]),
      ]);
      expect(system).toMatchObject({ code: 0, stderr: '' });
      expect(temp).toMatchObject({ code: 0, stderr: '' });
      const shown = JSON.parse((await cli(['prompt', 'show', 'p', '--json'])).stdout);
      expect({ round, system: shown.system, temperature: shown.parameters.temperature }).toEqual({
        round,
        system: `s${round}`,
        temperature: round / 10,
      });
      // Each update made a version of its own: none was built from a stale parent.
      expect(shown.version).toBe(1 + 2 * round);
    }
  }, 180_000);
});
