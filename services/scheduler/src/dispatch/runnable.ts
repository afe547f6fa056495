import type { DomainEvent } from '@jobstream/domain';

/**
 * The job events after which a job waits for an executor: a fresh submit without locks, a lock
 * grant, a retry (after its backoff), an orphan requeue, and a first-deadline time-out (takeover).
 * A retry of a job with locks is followed by `job.waiting-for-lock` in the same commit, and the
 * lock grant dispatches it instead.
 */
export function becomesRunnable(event: DomainEvent, sameCommit: DomainEvent[]): boolean {
  switch (event.type) {
    case 'job.submitted':
    case 'job.retried':
      return !sameCommit.some((e) => e.type === 'job.waiting-for-lock');
    case 'job.lock-granted':
    case 'job.orphaned':
    case 'job.timed-out':
      return true;
    default:
      return false;
  }
}
