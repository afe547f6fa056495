import { nextFireTime, type JobDefinitionSchedule } from '@jobstream/domain';

/**
 * The first run of a definition's schedule strictly after `after`, or null when it will not run again.
 * Cron and once are read by the orchestration plans' `nextFireTime` (time zone, DST gaps and overlaps
 * in one place). An interval counts whole periods from `since`, the moment the schedule took effect;
 * it is computed here in integer milliseconds because `nextFireTime` takes seconds and
 * `everyMs / 1000 * 1000` is not exact in floating point.
 */
export function nextScheduledRun(schedule: JobDefinitionSchedule, since: Date, after: Date): Date | null {
  switch (schedule.kind) {
    case 'cron':
      return nextFireTime({ scheduleType: 'CRON', cronExpression: schedule.expression, timeZone: schedule.timeZone }, after);
    case 'once':
      return nextFireTime({ scheduleType: 'ONCE', fireTime: schedule.at }, after);
    case 'interval': {
      const first = since.getTime() + schedule.everyMs;
      if (first > after.getTime()) return new Date(first);
      return new Date(first + (Math.floor((after.getTime() - first) / schedule.everyMs) + 1) * schedule.everyMs);
    }
    default: {
      const unexpected: never = schedule;
      throw new Error(`unknown schedule kind: ${(unexpected as { kind: string }).kind}`);
    }
  }
}
