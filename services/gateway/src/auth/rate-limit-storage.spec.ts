import { ThrottlerStorageService } from '@nestjs/throttler';
import { HitLogStorage } from './rate-limit-storage';

describe('HitLogStorage', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it("answers as @nestjs/throttler's own storage over bursts, blocks, expiries and idle keys", async () => {
    const ours = new HitLogStorage();
    const theirs = new ThrottlerStorageService();
    // A deterministic walk: steps of 0 to ~20 s over two keys, so windows expire, keys block and unblock.
    let state = 42;
    const next = (n: number) => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let i = 0; i < 5_000; i++) {
      jest.advanceTimersByTime(next(4) === 0 ? next(20_000) : next(300));
      const key = next(3) === 0 ? 'acme:key:b' : 'acme:key:a';
      const expected = await theirs.increment(key, 60_000, 5, 60_000, 'default');
      const actual = await ours.increment(key, 60_000, 5, 60_000);
      // Once a block ran out, their storage still reports its (non-positive) remaining seconds; nobody reads it then.
      expect({ i, ...actual }).toEqual({ i, ...expected, timeToBlockExpire: expected.isBlocked ? expected.timeToBlockExpire : 0 });
    }
    theirs.onApplicationShutdown();
  });
});
