import type { DomainEvent } from '@jobstream/domain';
import { becomesRunnable, dispatchDueAt } from './runnable';
import { SyncHolds } from './sync-holds';

const submitted = (data: Record<string, unknown>): DomainEvent =>
  ({ type: 'job.submitted', streamId: 'acme.job.j1', data: { type: 'noop', locks: [], ...data } }) as unknown as DomainEvent;

describe('dispatchDueAt', () => {
  it('holds a sync submit until its deadline plus the margin', () => {
    const event = submitted({ mode: 'sync', syncDeadline: '2026-01-01T00:00:05.000Z' });
    expect(becomesRunnable(event, [event])).toBe(true);
    expect(dispatchDueAt(event, 1_000)).toBe(Date.parse('2026-01-01T00:00:06.000Z'));
  });

  it.each([
    ['an async submit', submitted({ mode: 'async' })],
    ['a sync submit recorded before deadlines were', submitted({ mode: 'sync' })],
    ['any other runnable event', { type: 'job.lock-granted', streamId: 'acme.job.j1', data: { locks: [] } } as unknown as DomainEvent],
  ])('dispatches %s at once', (_, event) => {
    expect(dispatchDueAt(event, 1_000)).toBeUndefined();
  });
});

describe('SyncHolds', () => {
  it('gives back what is due, earliest first, and nothing before its time', () => {
    const holds = new SyncHolds<string>();
    holds.hold('acme.job.b', 200, 'b');
    holds.hold('acme.job.a', 100, 'a');
    holds.hold('acme.job.c', 300, 'c');
    expect(holds.nextDueAt()).toBe(100);
    expect(holds.takeDue(99)).toEqual([]);
    expect(holds.takeDue(200)).toEqual(['a', 'b']);
    expect(holds.nextDueAt()).toBe(300);
    expect(holds.size).toBe(1);
  });

  it('drops a hold once its stream moves on (the sync path started the job, or it was cancelled)', () => {
    const holds = new SyncHolds<string>();
    holds.hold('acme.job.a', 100, 'a');
    holds.hold('acme.job.b', 200, 'b');
    expect(holds.end('acme.job.a')).toBe('a');
    expect(holds.end('acme.job.a')).toBeUndefined();
    expect(holds.end('acme.job.other')).toBeUndefined();
    expect(holds.nextDueAt()).toBe(200);
    expect(holds.takeDue(1_000)).toEqual(['b']);
    expect(holds.nextDueAt()).toBeUndefined();
    expect(holds.size).toBe(0);
  });

});
