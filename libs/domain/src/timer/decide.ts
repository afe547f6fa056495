import { DomainError } from '../shared/domain-error';
import { type EventContext, makeEvent, streamIdOf } from '../shared/envelope';
import { MISFIRE_POLICIES, type MisfirePolicy, type TimerEvent, type TimerTarget } from './events';
import type { TimerState } from './state';

export interface ScheduleTimer {
  type: 'schedule';
  timerId: string;
  dueAt: string;
  target: TimerTarget;
  misfirePolicy?: MisfirePolicy;
}

/** Sent by the scheduler holding the lease when the timer is due (`ctx.now` >= dueAt). */
export interface FireTimer {
  type: 'fire';
  /** How overdue a fire may be before it counts as a misfire (late). */
  misfireThresholdMs: number;
}

export interface CancelTimer {
  type: 'cancel';
}

export type TimerCommand = ScheduleTimer | FireTimer | CancelTimer;

/** Stream tokens and KV keys: no dots (they separate tenant, aggregate and id), wildcards, colons or spaces. */
const TIMER_ID = /^[A-Za-z0-9_-]{1,200}$/;

export const timerStreamId = (tenant: string, timerId: string): string => streamIdOf(tenant, 'timer', timerId);

/**
 * A timer fires at most once: the fire is decided on the timer's own stream, so a second scheduler
 * racing for the same fire loses on optimistic concurrency, and a fired, skipped or cancelled timer
 * refuses every later command.
 */
export function decideTimer(command: TimerCommand, state: TimerState, ctx: EventContext): TimerEvent[] {
  if (command.type === 'schedule') return decideSchedule(command, state, ctx);
  if (!state.exists || state.timerId === null || state.dueAt === null) {
    throw new DomainError('NOT_FOUND', 'no such timer', { command: command.type });
  }
  const timerId = state.timerId;
  if (state.status !== 'PENDING') {
    throw new DomainError('ILLEGAL_TRANSITION', `timer ${timerId} is ${String(state.status)}`, { timerId, status: state.status });
  }
  const streamId = timerStreamId(ctx.tenant, timerId);
  switch (command.type) {
    case 'fire': {
      const lateByMs = ctx.now.getTime() - Date.parse(state.dueAt);
      if (lateByMs < 0) {
        throw new DomainError('ILLEGAL_TRANSITION', `timer ${timerId} is due at ${state.dueAt}`, { timerId, dueAt: state.dueAt });
      }
      if (!(command.misfireThresholdMs >= 0)) {
        throw new DomainError('INVALID_ARGUMENT', 'misfireThresholdMs: must be a non-negative number', { field: 'misfireThresholdMs' });
      }
      const late = lateByMs > command.misfireThresholdMs;
      if (late && state.misfirePolicy === 'SKIP') {
        return [makeEvent(ctx, streamId, 'timer.skipped', { timerId, skippedAt: ctx.now.toISOString() })];
      }
      return [makeEvent(ctx, streamId, 'timer.fired', { timerId, firedAt: ctx.now.toISOString(), late })];
    }
    case 'cancel':
      return [makeEvent(ctx, streamId, 'timer.cancelled', { timerId })];
    default: {
      const unexpected: never = command;
      throw new Error(`unknown timer command: ${(unexpected as { type: string }).type}`);
    }
  }
}

function decideSchedule(command: ScheduleTimer, state: TimerState, ctx: EventContext): TimerEvent[] {
  if (typeof command.timerId !== 'string' || !TIMER_ID.test(command.timerId)) {
    throw new DomainError('INVALID_ARGUMENT', 'timerId: must be 1 to 200 letters, digits, "_" or "-"', { field: 'timerId' });
  }
  const due = typeof command.dueAt === 'string' ? Date.parse(command.dueAt) : NaN;
  if (Number.isNaN(due)) throw new DomainError('INVALID_ARGUMENT', 'dueAt: must be an ISO-8601 instant', { field: 'dueAt' });
  if (typeof command.target !== 'object' || command.target === null || typeof command.target.kind !== 'string') {
    throw new DomainError('INVALID_ARGUMENT', 'target: must be an object with a kind', { field: 'target' });
  }
  const misfirePolicy = command.misfirePolicy ?? 'FIRE_ONCE';
  if (!(MISFIRE_POLICIES as readonly unknown[]).includes(misfirePolicy)) {
    throw new DomainError('INVALID_ARGUMENT', `misfirePolicy: must be one of ${MISFIRE_POLICIES.join(', ')}`, { field: 'misfirePolicy' });
  }
  if (state.exists) throw new DomainError('ALREADY_EXISTS', `timer ${command.timerId} already exists`, { timerId: command.timerId });
  return [
    makeEvent(ctx, timerStreamId(ctx.tenant, command.timerId), 'timer.scheduled', {
      timerId: command.timerId,
      dueAt: new Date(due).toISOString(),
      target: command.target,
      misfirePolicy,
    }),
  ];
}
