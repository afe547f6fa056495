import type { ExecutionPlan } from '../definition/types';
import { cronExpressionError, nextFireTime } from './execution-plan';

const cron = (cronExpression: string, timeZone?: string): ExecutionPlan => ({
  scheduleType: 'CRON',
  cronExpression,
  ...(timeZone && { timeZone }),
});

/** The first `count` fires after `from`, each computed from the previous one. */
function fires(plan: ExecutionPlan, from: string, count: number): string[] {
  const result: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i += 1) {
    const next = nextFireTime(plan, after);
    if (!next) break;
    result.push(next.toISOString());
    after = next;
  }
  return result;
}

describe('nextFireTime', () => {
  describe('ONCE', () => {
    const plan: ExecutionPlan = { scheduleType: 'ONCE', fireTime: '2020-05-18T10:12:39.527Z', interval: 0 };

    it('fires at fireTime when it is still ahead', () => {
      expect(nextFireTime(plan, new Date('2020-05-18T10:00:00Z'))?.toISOString()).toBe('2020-05-18T10:12:39.527Z');
    });

    it('never fires again at or after fireTime', () => {
      expect(nextFireTime(plan, new Date('2020-05-18T10:12:39.527Z'))).toBeNull();
      expect(nextFireTime(plan, new Date('2021-01-01T00:00:00Z'))).toBeNull();
    });

    it('has no horizon: a fire 400 days away is found', () => {
      const far: ExecutionPlan = { scheduleType: 'ONCE', fireTime: '2026-02-05T00:00:00Z' };
      expect(nextFireTime(far, new Date('2025-01-01T00:00:00Z'))?.toISOString()).toBe('2026-02-05T00:00:00.000Z');
    });
  });

  describe('INTERVAL', () => {
    const plan: ExecutionPlan = { scheduleType: 'INTERVAL', fireTime: '2025-01-01T00:00:00Z', interval: 3600 };

    it('first fires at fireTime', () => {
      expect(nextFireTime(plan, new Date('2024-12-01T00:00:00Z'))?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    });

    it('then every interval seconds, strictly after the given instant', () => {
      expect(nextFireTime(plan, new Date('2025-01-01T00:00:00Z'))?.toISOString()).toBe('2025-01-01T01:00:00.000Z');
      expect(nextFireTime(plan, new Date('2025-01-01T10:30:00Z'))?.toISOString()).toBe('2025-01-01T11:00:00.000Z');
    });

    it('is a fixed period of elapsed time, unaffected by DST', () => {
      const daily: ExecutionPlan = { scheduleType: 'INTERVAL', fireTime: '2025-03-29T01:30:00Z', interval: 86400 };
      expect(fires(daily, '2025-03-29T00:00:00Z', 3)).toEqual([
        '2025-03-29T01:30:00.000Z',
        '2025-03-30T01:30:00.000Z',
        '2025-03-31T01:30:00.000Z',
      ]);
    });
  });

  describe('CRON', () => {
    it('defaults to UTC', () => {
      expect(fires(cron('0 3 * * *'), '2025-06-01T03:00:00Z', 2)).toEqual(['2025-06-02T03:00:00.000Z', '2025-06-03T03:00:00.000Z']);
    });

    it('reads the wall clock of its time zone', () => {
      expect(fires(cron('0 3 * * *', 'Europe/Paris'), '2025-06-01T00:00:00Z', 1)).toEqual(['2025-06-01T01:00:00.000Z']);
    });

    it('accepts a leading seconds field', () => {
      expect(fires(cron('15 0 3 * * *'), '2025-06-01T00:00:00Z', 1)).toEqual(['2025-06-01T03:00:15.000Z']);
    });

    it('finds a rare date far ahead (no horizon)', () => {
      expect(fires(cron('0 0 29 2 *'), '2025-03-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
    });

    it('Europe/Paris spring forward: 02:30 does not exist, it fires when the clock jumps to 03:00', () => {
      expect(fires(cron('30 2 * * *', 'Europe/Paris'), '2025-03-29T12:00:00Z', 2)).toEqual([
        '2025-03-30T01:00:00.000Z',
        '2025-03-31T00:30:00.000Z',
      ]);
    });

    it('Europe/Paris spring forward: several skipped times collapse into one fire', () => {
      expect(fires(cron('*/15 2 * * *', 'Europe/Paris'), '2025-03-29T23:00:00Z', 2)).toEqual([
        '2025-03-30T01:00:00.000Z',
        '2025-03-31T00:00:00.000Z',
      ]);
    });

    it('Europe/Paris fall back: 02:30 happens twice, it fires once, at the first', () => {
      expect(fires(cron('30 2 * * *', 'Europe/Paris'), '2025-10-25T12:00:00Z', 2)).toEqual([
        '2025-10-26T00:30:00.000Z',
        '2025-10-27T01:30:00.000Z',
      ]);
    });

    it('America/New_York spring forward and fall back', () => {
      expect(fires(cron('30 2 * * *', 'America/New_York'), '2025-03-08T12:00:00Z', 1)).toEqual(['2025-03-09T07:00:00.000Z']);
      expect(fires(cron('30 1 * * *', 'America/New_York'), '2025-11-01T12:00:00Z', 2)).toEqual([
        '2025-11-02T05:30:00.000Z',
        '2025-11-03T06:30:00.000Z',
      ]);
    });

    it('Australia/Lord_Howe 30-minute spring forward: 02:15 fires at 02:30 (+11)', () => {
      expect(fires(cron('15 2 * * *', 'Australia/Lord_Howe'), '2025-10-04T00:00:00Z', 2)).toEqual([
        '2025-10-04T15:30:00.000Z',
        '2025-10-05T15:15:00.000Z',
      ]);
    });

    it('Australia/Lord_Howe 30-minute fall back: each wall-clock time fires once, at its first occurrence', () => {
      // 01:00 +11, 01:30 +11, then the repeated 01:30 (+10:30) is passed over, 02:00 +10:30, 02:30 +10:30.
      expect(fires(cron('*/30 * * * *', 'Australia/Lord_Howe'), '2025-04-05T13:30:00Z', 4)).toEqual([
        '2025-04-05T14:00:00.000Z',
        '2025-04-05T14:30:00.000Z',
        '2025-04-05T15:30:00.000Z',
        '2025-04-05T16:00:00.000Z',
      ]);
    });

    it('continues correctly when asked from inside the repeated half hour', () => {
      expect(fires(cron('*/10 * * * *', 'Australia/Lord_Howe'), '2025-04-05T15:05:00Z', 1)).toEqual([
        '2025-04-05T15:30:00.000Z',
      ]);
    });

    it('returns null for an expression that can never match', () => {
      expect(nextFireTime(cron('0 0 30 2 *'), new Date('2025-01-01T00:00:00Z'))).toBeNull();
    });
  });

  it('cronExpressionError explains an invalid expression', () => {
    expect(cronExpressionError('0 3 * * *')).toBeNull();
    expect(cronExpressionError('61 * * * *')).toMatch(/minute/);
    expect(cronExpressionError('not a cron')).not.toBeNull();
  });
});
