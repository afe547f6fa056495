import type { DomainEvent } from '@jobstream/domain';
import { runResultOf } from './definition-reactor.service';

const event = (type: string): DomainEvent => ({
  eventId: type,
  type,
  schemaVersion: 1,
  streamId: 'acme.job.j1',
  tenant: 'acme',
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'c',
  causationId: null,
  actor: 'service:executor',
  data: {},
});

describe('runResultOf: which job events end a definition run', () => {
  it.each([
    ['job.completed', 'COMPLETED'],
    ['job.cancelled', 'CANCELLED'],
    ['job.failed', 'FAILED'],
    ['job.timed-out', null],
    ['job.started', null],
    ['job.progressed', null],
  ])('%s → %s', (type, result) => {
    const e = event(type);
    expect(runResultOf(e, [e])).toBe(result);
  });

  it('does not end the run on a failure its retry policy retries in the same commit', () => {
    const failed = event('job.failed');
    expect(runResultOf(failed, [failed, event('job.retried')])).toBeNull();
  });
});
