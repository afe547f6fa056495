import { makeEvent, streamIdOf, type EventContext } from '../shared/envelope';
import type { JobEventDataMap, JobEventOf, JobEventType, JobLock } from './events';
import { backoffDelayMs, type RetryPolicy } from './policy';

export type JobEmitter = <T extends JobEventType>(type: T, data: JobEventDataMap[T]) => JobEventOf<T>;

export const jobEmitter =
  (ctx: EventContext, jobId: string): JobEmitter =>
  (type, data) =>
    makeEvent(ctx, streamIdOf(ctx.tenant, 'job', jobId), type, data);

/**
 * A retry puts the job back in the queue; a job that needs locks queues for them again because
 * its locks were released when the previous attempt ended.
 */
export function retryEvents(
  emit: JobEmitter,
  next: { attempt: number; reason: 'manual' | 'policy'; notBefore: Date; locks: JobLock[] },
) {
  const retried = emit('job.retried', {
    attempt: next.attempt,
    reason: next.reason,
    notBefore: next.notBefore.toISOString(),
  });
  return next.locks.length > 0 ? [retried, emit('job.waiting-for-lock', { locks: next.locks })] : [retried];
}

export const notBeforeAfterBackoff = (now: Date, policy: RetryPolicy, attempt: number, jitter: number): Date =>
  new Date(now.getTime() + backoffDelayMs(policy, attempt, jitter));
