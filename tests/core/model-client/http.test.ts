import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../../src/core/model-client/http.js';

describe('isLoopback: the hosts never sent through a proxy', () => {
  it('covers localhost, 127.0.0.0/8 and ::1, and nothing else', () => {
    for (const host of [
      'localhost',
      'api.localhost',
      'LOCALHOST',
      '127.0.0.1',
      '127.8.9.10',
      '[::1]',
    ]) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of [
      'model.test',
      '128.0.0.1',
      '10.0.0.1',
      '[::2]',
      'localhost.example.com',
      '127.0.0.1.nip.io',
    ]) {
      expect(isLoopback(host), host).toBe(false);
    }
  });
});
