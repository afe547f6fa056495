import { nextScheduledRun } from './next-run';

const at = (iso: string) => new Date(iso);

describe('nextScheduledRun', () => {
  it('counts whole intervals from the moment the schedule took effect, in exact milliseconds', () => {
    const since = at('2025-03-01T10:00:00Z');
    const every = { kind: 'interval' as const, everyMs: 1001 };
    expect(nextScheduledRun(every, since, since)?.toISOString()).toBe('2025-03-01T10:00:01.001Z');
    expect(nextScheduledRun(every, since, at('2025-03-01T10:00:01.001Z'))?.toISOString()).toBe('2025-03-01T10:00:02.002Z');
    // Late after many periods: the next one after `after`, missed ones collapse.
    expect(nextScheduledRun(every, since, at('2025-03-01T11:00:00Z'))?.toISOString()).toBe('2025-03-01T11:00:00.597Z');
  });

  it('reads cron on the wall clock of its zone, DST included', () => {
    const cron = { kind: 'cron' as const, expression: '30 2 * * *', timeZone: 'Europe/Paris' };
    // 2025-03-30 02:30 does not exist in Paris: the first instant after the gap (03:00 CEST = 01:00Z).
    expect(nextScheduledRun(cron, at('2025-03-29T10:00:00Z'), at('2025-03-29T10:00:00Z'))?.toISOString()).toBe('2025-03-30T01:00:00.000Z');
    // 2025-10-26 02:30 happens twice: the first occurrence only (CEST, 00:30Z).
    expect(nextScheduledRun(cron, at('2025-10-25T10:00:00Z'), at('2025-10-25T10:00:00Z'))?.toISOString()).toBe('2025-10-26T00:30:00.000Z');
    expect(nextScheduledRun(cron, at('2025-10-25T10:00:00Z'), at('2025-10-26T00:30:00Z'))?.toISOString()).toBe('2025-10-27T01:30:00.000Z');
  });

  it('runs a once schedule only while its instant is ahead', () => {
    const once = { kind: 'once' as const, at: '2025-03-01T12:00:00Z' };
    expect(nextScheduledRun(once, at('2025-03-01T10:00:00Z'), at('2025-03-01T10:00:00Z'))?.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    expect(nextScheduledRun(once, at('2025-03-01T10:00:00Z'), at('2025-03-01T12:00:00Z'))).toBeNull();
  });
});
