import type { DomainEvent } from '../shared/envelope';

/**
 * What a timer does when it is found overdue (the scheduler was down, or the lease changed hands):
 * FIRE_ONCE fires it late (once, however many periods were missed: the owner re-plans from now),
 * SKIP records it as skipped and the owner does nothing.
 */
export const MISFIRE_POLICIES = ['FIRE_ONCE', 'SKIP'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

/** What to do when the timer fires; read by whoever scheduled it (the orchestration process manager). */
export type TimerTarget = Record<string, unknown> & { kind: string };

export interface TimerEventDataMap {
  /** `dueAt` ISO-8601 UTC. */
  'timer.scheduled': { timerId: string; dueAt: string; target: TimerTarget; misfirePolicy: MisfirePolicy };
  /** `late`: fired more than the misfire threshold after `dueAt`. */
  'timer.fired': { timerId: string; firedAt: string; late: boolean };
  /** Overdue past the threshold with misfire policy SKIP: the target is not acted on. */
  'timer.skipped': { timerId: string; skippedAt: string };
  'timer.cancelled': { timerId: string };
}

export type TimerEventType = keyof TimerEventDataMap;

export const TIMER_EVENT_TYPES = ['timer.scheduled', 'timer.fired', 'timer.skipped', 'timer.cancelled'] as const satisfies readonly TimerEventType[];

export type TimerEventOf<T extends TimerEventType> = DomainEvent<T, TimerEventDataMap[T]>;

export type TimerEvent = { [T in TimerEventType]: TimerEventOf<T> }[TimerEventType];

export const isTimerEvent = (event: DomainEvent): event is TimerEvent => (TIMER_EVENT_TYPES as readonly string[]).includes(event.type);
