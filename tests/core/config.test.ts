import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigStore, parseConfigValue } from '../../src/core/config.js';
import { ValidationError } from '../../src/core/errors.js';
import { tempDir } from '../support/temp.js';

describe('config values', () => {
  it.each([
    ['temperature', '0.7', 0.7],
    ['maxTokens', '512', 512],
    ['timeout', '2.5', 2.5],
    ['maxRetries', '0', 0],
    ['concurrency', '8', 8],
    ['cache', 'false', false],
    ['cache', 'yes', true],
    ['baseUrl', 'http://localhost:11434/v1', 'http://localhost:11434/v1'],
    ['model', '  llama3.1 ', 'llama3.1'],
    ['apiKeyEnv', 'OPENROUTER_API_KEY', 'OPENROUTER_API_KEY'],
  ] as const)('reads %s=%j', (key, raw, value) => {
    expect(parseConfigValue(key, raw)).toBe(value);
  });

  it.each([
    ['temperature', '3'],
    ['temperature', 'warm'],
    ['maxTokens', '1.5'],
    ['maxTokens', '-1'],
    ['maxRetries', '11'],
    ['concurrency', '0'],
    ['cache', 'maybe'],
    ['baseUrl', 'ftp://example.com'],
    ['baseUrl', 'not a url'],
    ['model', '   '],
    ['apiKeyEnv', 'has space'],
  ] as const)('refuses %s=%j with a validation error naming the key', (key, raw) => {
    expect(() => parseConfigValue(key, raw)).toThrow(ValidationError);
    expect(() => parseConfigValue(key, raw)).toThrow(new RegExp(`Invalid value for ${key}`));
  });

  it('keeps a store without a password, and never repeats a refused one', () => {
    expect(parseConfigValue('database', 'postgresql://ann@db.team:5432/prompts')).toBe(
      'postgresql://ann@db.team:5432/prompts',
    );
    expect(parseConfigValue('database', './team.db')).toBe('./team.db');
    for (const [value, reason] of [
      ['postgresql://ann:s3cret@db/x', 'a URL kept in the config file must not hold a password'],
      [
        'postgresql://ann@db/x?password=s3cret',
        'a URL kept in the config file must not hold a password',
      ],
      ['postgresql://ann:s3#cret@db/x', 'a URL kept in the config file must not hold a password'],
      ['mysql://ann@db/x', 'unsupported database URL scheme "mysql://"'],
      [
        'postgresql://db/x?connection_limit=abc',
        'connection_limit must be a whole number from 1 to 100, not "abc"',
      ],
    ]) {
      expect(() => parseConfigValue('database', value)).toThrow(
        `Invalid value for database: ${reason}`,
      );
      try {
        parseConfigValue('database', value);
      } catch (error) {
        expect((error as Error).message).not.toContain('s3');
      }
    }
  });

  it('says what it expected, in plain words', () => {
    expect(() => parseConfigValue('temperature', 'warm')).toThrow(
      'Invalid value for temperature: "warm" (expected number)',
    );
    expect(() => parseConfigValue('maxRetries', '11')).toThrow(
      'Invalid value for maxRetries: "11" (too big: expected number to be <=10)',
    );
  });
});

describe('ConfigStore', () => {
  it('writes, reads back, unsets, and keeps keys it does not know', async () => {
    const file = join(tempDir(), 'deep', 'config.json');
    const store = new ConfigStore(file);
    expect(store.read()).toEqual({});
    await store.set('model', 'gpt-4o-mini');
    await store.set('temperature', 0.2);
    expect(new ConfigStore(file).read()).toEqual({ model: 'gpt-4o-mini', temperature: 0.2 });

    const raw = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...raw, futureKey: 1 }));
    const again = new ConfigStore(file);
    await again.unset('temperature');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      model: 'gpt-4o-mini',
      futureKey: 1,
    });
    expect(again.get('model')).toBe('gpt-4o-mini');
  });

  it('refuses an unknown key with the list of valid keys', () => {
    const store = new ConfigStore(join(tempDir(), 'config.json'));
    expect(() => store.key('colour')).toThrow(/Unknown config key "colour"/);
    try {
      store.key('colour');
    } catch (error) {
      expect((error as ValidationError).hint).toMatch(/valid keys: project, model, baseUrl/);
    }
    expect(store.key('model')).toBe('model');
  });

  it('reports a config file that is not JSON, or holds a bad value', () => {
    const file = join(tempDir(), 'config.json');
    writeFileSync(file, '{ nope');
    expect(() => new ConfigStore(file).read()).toThrow(/is not valid JSON/);
    writeFileSync(file, '[1, 2]');
    expect(() => new ConfigStore(file).read()).toThrow(/must hold a JSON object/);
    writeFileSync(file, JSON.stringify({ temperature: 9 }));
    expect(() => new ConfigStore(file).read()).toThrow(/temperature/);
    rmSync(file);
    mkdirSync(file);
    expect(() => new ConfigStore(file).read()).toThrow(
      new ValidationError(`Cannot read config file ${file}: it is a directory`),
    );
  });

  it('lets a bad value be fixed by setting it, keeping the other keys', async () => {
    const file = join(tempDir(), 'config.json');
    writeFileSync(file, JSON.stringify({ temperature: 'hot', model: 'm' }));
    await new ConfigStore(file).set('temperature', 0.5);
    expect(new ConfigStore(file).read()).toEqual({ temperature: 0.5, model: 'm' });
  });

  it('keeps every change when several stores write different keys at once', async () => {
    const file = join(tempDir(), 'config.json');
    await Promise.all([
      new ConfigStore(file).set('model', 'a'),
      new ConfigStore(file).set('temperature', 0.1),
      new ConfigStore(file).set('maxTokens', 7),
      new ConfigStore(file).set('timeout', 9),
      new ConfigStore(file).set('maxRetries', 1),
      new ConfigStore(file).set('concurrency', 3),
    ]);
    expect(new ConfigStore(file).read()).toEqual({
      model: 'a',
      temperature: 0.1,
      maxTokens: 7,
      timeout: 9,
      maxRetries: 1,
      concurrency: 3,
    });
  });

  it('falls back to the environment and says where a value comes from', async () => {
    const file = join(tempDir(), 'config.json');
    const store = new ConfigStore(file, { PROMPT_RUNNER_MODEL: 'from-env' });
    expect(store.entry('model')).toMatchObject({ value: 'from-env', source: 'env' });
    await store.set('model', 'from-config');
    expect(store.entry('model')).toMatchObject({ value: 'from-config', source: 'config' });
    expect(store.entry('temperature')).toMatchObject({ value: null, source: null });
    expect(store.entry('timeout')).toMatchObject({ value: 300, source: 'default' });
  });
});
