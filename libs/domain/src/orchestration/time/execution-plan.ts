import { Cron } from 'croner';
import { DateTime } from 'luxon';
import type { ExecutionPlan } from '../definition/types';
import { DEFAULT_TIME_ZONE, parseInstant, resolveLocal } from './local-time';

/**
 * Croner reads the expression on a UTC clock here, which makes it a pure "next matching wall-clock
 * time" generator; turning a wall-clock time into an instant is left to resolveLocal, because croner's
 * own zone handling picks the second occurrence in Lord Howe's 30-minute overlap and even skips
 * matches there.
 */
const wallClockCron = (expression: string): Cron => new Cron(expression, { timezone: 'UTC' });

/** Null when the expression is valid; otherwise croner's reason. */
export function cronExpressionError(expression: string): string | null {
  try {
    wallClockCron(expression);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The first fire strictly after `after`, or null when the plan will never fire again.
 * CRON reads the wall clock of its zone: a matching time inside a spring-forward gap fires at the
 * first instant after the gap (several such times collapse into that one fire), a matching time
 * inside a fall-back overlap fires at its first occurrence only. The plan must be valid.
 */
export function nextFireTime(plan: ExecutionPlan, after: Date): Date | null {
  switch (plan.scheduleType) {
    case 'ONCE': {
      const fire = requireInstant(plan.fireTime);
      return fire.getTime() > after.getTime() ? fire : null;
    }
    case 'INTERVAL': {
      const first = requireInstant(plan.fireTime).getTime();
      const periodMs = (plan.interval ?? 0) * 1000;
      if (!(periodMs > 0)) throw new Error('INTERVAL plan needs a positive interval');
      if (first > after.getTime()) return new Date(first);
      return new Date(first + (Math.floor((after.getTime() - first) / periodMs) + 1) * periodMs);
    }
    case 'CRON':
      return nextCronFire(plan.cronExpression ?? '', plan.timeZone ?? DEFAULT_TIME_ZONE, after);
    default: {
      const unexpected: never = plan.scheduleType;
      throw new Error(`unknown schedule type: ${String(unexpected)}`);
    }
  }
}

function requireInstant(value: string | undefined): Date {
  const instant = value === undefined ? null : parseInstant(value);
  if (!instant) throw new Error(`not an ISO-8601 instant: ${String(value)}`);
  return instant;
}

/**
 * resolveLocal never maps a later wall-clock time to an earlier instant, and the wall-clock time of
 * `after` resolves to `after` or earlier, so the first matching wall-clock time past it that resolves
 * past `after` is the answer. Only times in the second pass of an overlap are stepped over.
 */
function nextCronFire(expression: string, zone: string, after: Date): Date | null {
  const cron = wallClockCron(expression);
  const local = DateTime.fromJSDate(after, { zone });
  let wall: Date | null = new Date(
    Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond),
  );
  for (;;) {
    wall = cron.nextRun(wall);
    if (wall === null) return null;
    const fire = resolveLocal(
      { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() },
      { hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds() },
      zone,
    );
    if (fire.getTime() > after.getTime()) return fire;
  }
}
