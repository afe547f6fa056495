import type { DomainEvent, JobSubmittedData } from '@jobstream/domain';

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

/**
 * When the work item of a runnable event may go out (epoch ms), or undefined for now. A sync job's
 * submit belongs to the sync path until its caller's deadline (the gateway asks an executor
 * directly), so its item waits until `marginMs` after that deadline: a sync attempt that failed, or a
 * gateway that died, then leaves the job to the work queue as if it had been submitted async.
 */
export function dispatchDueAt(event: DomainEvent, marginMs: number): number | undefined {
  if (event.type !== 'job.submitted') return undefined;
  const { mode, syncDeadline } = event.data as Pick<JobSubmittedData, 'mode' | 'syncDeadline'>;
  // A sync submit recorded before the deadline was: nothing says how long the sync path owns it.
  if (mode !== 'sync' || syncDeadline === undefined) return undefined;
  return Date.parse(syncDeadline) + marginMs;
}
