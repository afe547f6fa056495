import { loadNatsConfig, nonNegativeIntFromEnv, positiveIntFromEnv } from './config';

describe('configuration from the environment', () => {
  it('splits NATS_URL into a cluster list', () => {
    expect(loadNatsConfig({ NATS_URL: 'nats://a:4222, nats://b:4222' }).servers).toEqual(['nats://a:4222', 'nats://b:4222']);
  });

  it('reads positive integers, falls back when unset, and names the variable when bad', () => {
    expect(positiveIntFromEnv({}, 'X_MS', 5)).toBe(5);
    expect(positiveIntFromEnv({ X_MS: '' }, 'X_MS', 5)).toBe(5);
    expect(positiveIntFromEnv({ X_MS: '250' }, 'X_MS', 5)).toBe(250);
    for (const bad of ['0', '-1', '1.5', 'ten']) {
      expect(() => positiveIntFromEnv({ X_MS: bad }, 'X_MS', 5)).toThrow(`X_MS="${bad}" must be a positive integer`);
    }
  });

  it('reads integers ≥ 0 where 0 switches something off', () => {
    expect(nonNegativeIntFromEnv({ X_MS: '0' }, 'X_MS', 5)).toBe(0);
    expect(nonNegativeIntFromEnv({}, 'X_MS', 5)).toBe(5);
    for (const bad of ['-1', '1.5', 'ten']) {
      expect(() => nonNegativeIntFromEnv({ X_MS: bad }, 'X_MS', 5)).toThrow(`X_MS="${bad}" must be an integer ≥ 0`);
    }
  });
});
