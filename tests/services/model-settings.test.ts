import { describe, expect, it } from 'vitest';
import type { ProjectRecord } from '../../src/db/repositories/project-repository.js';
import {
  cacheKey,
  requireApiKey,
  resolveSettings,
  type SettingsSources,
} from '../../src/services/model-settings.js';

const project = { defaultModel: 'project-model' } as ProjectRecord;

function sources(overrides: Partial<SettingsSources> = {}): SettingsSources {
  return {
    flags: {},
    prompt: { model: null, parameters: {} },
    project: null,
    config: {},
    env: {},
    ...overrides,
  };
}

describe('resolveSettings', () => {
  it('takes the model from flag > prompt > project > config > environment > default', () => {
    const env = { PROMPT_RUNNER_MODEL: 'env-model' };
    const config = { model: 'config-model' };
    const prompt = { model: 'prompt-model', parameters: {} };
    expect(resolveSettings(sources()).model).toBe('gpt-4o-mini');
    expect(resolveSettings(sources({ env })).model).toBe('env-model');
    expect(resolveSettings(sources({ env, config })).model).toBe('config-model');
    expect(resolveSettings(sources({ env, config, project })).model).toBe('project-model');
    expect(resolveSettings(sources({ env, config, project, prompt })).model).toBe('prompt-model');
    expect(
      resolveSettings(sources({ env, config, project, prompt, flags: { model: 'flag-model' } }))
        .model,
    ).toBe('flag-model');
  });

  it('merges parameters: flags over the prompt over config', () => {
    const settings = resolveSettings(
      sources({
        flags: { maxTokens: 10, json: true },
        prompt: { model: null, parameters: { temperature: 0.1, seed: 3 } },
        config: { temperature: 0.9, maxTokens: 999 },
      }),
    );
    expect(settings.parameters).toEqual({
      temperature: 0.1,
      seed: 3,
      maxTokens: 10,
      responseFormat: 'json',
    });
  });

  it('needs a key for a remote endpoint and names the variable', () => {
    const remote = resolveSettings(sources());
    expect(remote.baseUrlHost).toBe('api.openai.com');
    expect(() => requireApiKey(remote)).toThrow(
      'No API key for api.openai.com: set OPENAI_API_KEY',
    );
    const custom = resolveSettings(
      sources({ config: { apiKeyEnv: 'ROUTER_KEY', baseUrl: 'https://openrouter.ai/api/v1' } }),
    );
    expect(() => requireApiKey(custom)).toThrow('set ROUTER_KEY');
    const withKey = resolveSettings(sources({ env: { OPENAI_API_KEY: 'sk-1' } }));
    expect(requireApiKey(withKey)).toBe('sk-1');
  });

  it('needs no key for a server on this machine', () => {
    for (const url of [
      'http://localhost:11434/v1',
      'http://127.0.0.1:8000/v1',
      'http://[::1]:1234/v1',
    ]) {
      const settings = resolveSettings(sources({ env: { OPENAI_BASE_URL: url } }));
      expect(requireApiKey(settings)).toBe('no-key-needed');
    }
  });

  it('reads the cache unless told not to, and writes it unless it is off', () => {
    expect(resolveSettings(sources())).toMatchObject({ cacheRead: true, cacheWrite: true });
    expect(resolveSettings(sources({ flags: { noCache: true } }))).toMatchObject({
      cacheRead: false,
      cacheWrite: true,
    });
    expect(resolveSettings(sources({ config: { cache: false } }))).toMatchObject({
      cacheRead: false,
      cacheWrite: false,
    });
  });
});

describe('cacheKey', () => {
  const messages = [{ role: 'user' as const, content: 'hi' }];
  it('changes with the model, the messages, any parameter and the endpoint', () => {
    const base = resolveSettings(
      sources({ prompt: { model: null, parameters: { temperature: 0 } } }),
    );
    const key = cacheKey(base, messages);
    expect(cacheKey({ ...base }, [...messages])).toBe(key);
    expect(cacheKey({ ...base, model: 'other' }, messages)).not.toBe(key);
    expect(cacheKey(base, [{ role: 'user', content: 'hi!' }])).not.toBe(key);
    expect(cacheKey({ ...base, parameters: { temperature: 0.1 } }, messages)).not.toBe(key);
    expect(cacheKey({ ...base, parameters: { temperature: 0, seed: 1 } }, messages)).not.toBe(key);
    expect(cacheKey({ ...base, baseUrlHost: 'localhost:11434' }, messages)).not.toBe(key);
  });

  it('does not depend on the order parameters were given in', () => {
    const base = resolveSettings(sources());
    const a = cacheKey({ ...base, parameters: { temperature: 0, seed: 1 } }, messages);
    const b = cacheKey({ ...base, parameters: { seed: 1, temperature: 0 } }, messages);
    expect(a).toBe(b);
  });
});
