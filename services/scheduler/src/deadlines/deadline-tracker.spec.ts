import type { DomainEvent } from '@jobstream/domain';
import { DeadlineTracker } from './deadline-tracker';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
let n = 0;
const event = (type: string, ms: number, data: Record<string, unknown> = {}, jobId = 'j1'): DomainEvent =>
  ({
    eventId: `e${++n}`,
    type,
    schemaVersion: 1,
    streamId: `acme.job.${jobId}`,
    tenant: 'acme',
    occurredAt: at(ms),
    correlationId: 'c',
    causationId: null,
    actor: 'test',
    data,
  }) as unknown as DomainEvent;

const timeouts = { firstDeadlineMs: 1_000, secondDeadlineMs: 5_000 };

function running(tracker = new DeadlineTracker()) {
  tracker.apply(event('job.submitted', 0, { timeouts }));
  tracker.apply(event('job.started', 100, { executorId: 'x' }));
  return tracker;
}

describe('DeadlineTracker', () => {
  it('finds a running job silent past its first deadline, and not before', () => {
    const tracker = running();
    expect(tracker.due(T0 + 1_099)).toEqual([]);
    expect(tracker.due(T0 + 1_100).map((d) => d.deadline)).toEqual(['first']);
  });

  it('counts progress events and the owner\'s heartbeats as signs of life, not another executor\'s', () => {
    const tracker = running();
    tracker.apply(event('job.progressed', 900, { executorId: 'x' }));
    expect(tracker.due(T0 + 1_800)).toEqual([]);
    tracker.heartbeat('acme.j1', { executorId: 'y', at: at(1_700) });
    expect(tracker.due(T0 + 1_900)).toHaveLength(1);
    tracker.heartbeat('acme.j1', { executorId: 'x', at: at(1_700) });
    expect(tracker.due(T0 + 1_900)).toEqual([]);
  });

  it('uses the lease of a singleton job as its first deadline when shorter', () => {
    const tracker = running();
    tracker.heartbeat('acme.j1', { executorId: 'x', at: at(100), leaseMs: 500 });
    expect(tracker.due(T0 + 600).map((d) => d.deadline)).toEqual(['first']);
  });

  it('after a time-out, waits for the second deadline from the last sign of life; a takeover ends that', () => {
    const tracker = running();
    tracker.apply(event('job.timed-out', 1_200, { executorId: 'x', deadline: 'first' }));
    expect(tracker.due(T0 + 5_099)).toEqual([]);
    expect(tracker.due(T0 + 5_100).map((d) => d.deadline)).toEqual(['second']);
    tracker.apply(event('job.started', 2_000, { executorId: 'y' }));
    expect(tracker.due(T0 + 2_500)).toEqual([]);
  });

  it('forgets finished jobs, but keeps a failed job the same commit retries', () => {
    const tracker = running();
    tracker.apply(event('job.failed', 200, { executorId: 'x' }));
    tracker.apply(event('job.retried', 200, { attempt: 2 }));
    tracker.sweep();
    expect(tracker.size).toBe(1);
    tracker.apply(event('job.started', 300, { executorId: 'x' }));
    expect(tracker.due(T0 + 1_300)).toHaveLength(1);
    tracker.apply(event('job.completed', 400, { executorId: 'x' }));
    tracker.sweep();
    expect(tracker.size).toBe(0);
  });

  it('loads timeouts later for a job whose submit it never saw', () => {
    const tracker = new DeadlineTracker();
    tracker.apply(event('job.started', 0, { executorId: 'x' }, 'old'));
    expect(tracker.due(T0 + 10_000_000)).toEqual([]);
    expect(tracker.unknownTimeouts(T0).map((j) => j.jobId)).toEqual(['old']);
  });
});
