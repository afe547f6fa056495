import { DomainError } from '../shared/domain-error';
import type { EventContext } from '../shared/envelope';
import { decideTimer, type TimerCommand } from './decide';
import type { TimerEvent } from './events';
import { evolveTimer } from './evolve';
import { initialTimerState, type TimerState } from './state';

const ctxAt = (now: string): EventContext => {
  let n = 0;
  return { tenant: 'acme', now: new Date(now), newId: () => `e${++n}`, actor: 'service:scheduler', correlationId: 'c', causationId: null };
};

const apply = (state: TimerState, command: TimerCommand, now: string): { state: TimerState; events: TimerEvent[] } => {
  const events = decideTimer(command, state, ctxAt(now));
  return { state: events.reduce(evolveTimer, state), events };
};

const schedule = (misfirePolicy?: 'FIRE_ONCE' | 'SKIP') =>
  apply(initialTimerState, { type: 'schedule', timerId: 't-1', dueAt: '2025-03-01T10:00:00Z', target: { kind: 'test' }, misfirePolicy }, '2025-03-01T09:00:00Z').state;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
  return undefined;
};

describe('timer decider', () => {
  it('schedules on the timer stream with the default misfire policy', () => {
    const { events } = apply(initialTimerState, { type: 'schedule', timerId: 't-1', dueAt: '2025-03-01T11:00:00+01:00', target: { kind: 'x' } }, '2025-03-01T09:00:00Z');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'timer.scheduled', streamId: 'acme.timer.t-1', data: { dueAt: '2025-03-01T10:00:00.000Z', misfirePolicy: 'FIRE_ONCE' } });
  });

  it('refuses a second schedule, a bad id, a bad instant and an unknown policy', () => {
    expect(codeOf(() => decideTimer({ type: 'schedule', timerId: 't-1', dueAt: '2025-03-01T10:00:00Z', target: { kind: 'x' } }, schedule(), ctxAt('2025-03-01T09:00:00Z')))).toBe('ALREADY_EXISTS');
    expect(codeOf(() => decideTimer({ type: 'schedule', timerId: 'a.b', dueAt: '2025-03-01T10:00:00Z', target: { kind: 'x' } }, initialTimerState, ctxAt('2025-03-01T09:00:00Z')))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => decideTimer({ type: 'schedule', timerId: 't', dueAt: 'tomorrow', target: { kind: 'x' } }, initialTimerState, ctxAt('2025-03-01T09:00:00Z')))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => decideTimer({ type: 'schedule', timerId: 't', dueAt: '2025-03-01T10:00:00Z', target: { kind: 'x' }, misfirePolicy: 'NEVER' as 'SKIP' }, initialTimerState, ctxAt('2025-03-01T09:00:00Z')))).toBe('INVALID_ARGUMENT');
  });

  it('fires once, on time or late within the threshold', () => {
    const { state, events } = apply(schedule(), { type: 'fire', misfireThresholdMs: 1000 }, '2025-03-01T10:00:00.500Z');
    expect(events[0]).toMatchObject({ type: 'timer.fired', data: { timerId: 't-1', late: false, firedAt: '2025-03-01T10:00:00.500Z' } });
    expect(codeOf(() => decideTimer({ type: 'fire', misfireThresholdMs: 1000 }, state, ctxAt('2025-03-01T10:00:01Z')))).toBe('ILLEGAL_TRANSITION');
  });

  it('refuses to fire early', () => {
    expect(codeOf(() => decideTimer({ type: 'fire', misfireThresholdMs: 0 }, schedule(), ctxAt('2025-03-01T09:59:59.999Z')))).toBe('ILLEGAL_TRANSITION');
  });

  it('misfire FIRE_ONCE fires late; SKIP records a skip', () => {
    expect(apply(schedule('FIRE_ONCE'), { type: 'fire', misfireThresholdMs: 1000 }, '2025-03-02T10:00:00Z').events[0]).toMatchObject({ type: 'timer.fired', data: { late: true } });
    const skipped = apply(schedule('SKIP'), { type: 'fire', misfireThresholdMs: 1000 }, '2025-03-02T10:00:00Z');
    expect(skipped.events[0]).toMatchObject({ type: 'timer.skipped' });
    expect(skipped.state.status).toBe('SKIPPED');
    expect(apply(schedule('SKIP'), { type: 'fire', misfireThresholdMs: 1000 }, '2025-03-01T10:00:01Z').events[0].type).toBe('timer.fired');
  });

  it('cancels a pending timer only', () => {
    const { state, events } = apply(schedule(), { type: 'cancel' }, '2025-03-01T09:30:00Z');
    expect(events[0].type).toBe('timer.cancelled');
    expect(codeOf(() => decideTimer({ type: 'fire', misfireThresholdMs: 0 }, state, ctxAt('2025-03-01T10:00:00Z')))).toBe('ILLEGAL_TRANSITION');
    expect(codeOf(() => decideTimer({ type: 'cancel' }, initialTimerState, ctxAt('2025-03-01T10:00:00Z')))).toBe('NOT_FOUND');
  });

  it('has no horizon: a fire a year ahead is just an instant', () => {
    const { events } = apply(initialTimerState, { type: 'schedule', timerId: 'far', dueAt: '2026-03-01T10:00:00Z', target: { kind: 'x' } }, '2025-03-01T09:00:00Z');
    expect(events[0].data).toMatchObject({ dueAt: '2026-03-01T10:00:00.000Z' });
  });
});
