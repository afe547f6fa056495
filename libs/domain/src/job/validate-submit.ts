import type { SubmitJob } from './commands';
import type { JobSubmittedData, JobLock } from './events';
import { defaultRetryPolicy, defaultTimeouts, type JobTimeouts, type RetryPolicy } from './policy';
import { invalid, isIsoInstant, isNonEmptyString, isPlainObject } from './guards';

const isNonNegativeInt = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

function checkTimeouts(t: JobTimeouts): JobTimeouts {
  // The second deadline is the point of no return after the first, so it must come later.
  if (!isNonNegativeInt(t.firstDeadlineMs) || t.firstDeadlineMs === 0 || !isNonNegativeInt(t.secondDeadlineMs)) {
    invalid('deadlines must be positive integers (ms)', { timeouts: t });
  }
  if (t.secondDeadlineMs <= t.firstDeadlineMs) invalid('the second deadline must come after the first', { timeouts: t });
  return { firstDeadlineMs: t.firstDeadlineMs, secondDeadlineMs: t.secondDeadlineMs };
}

function checkLocks(locks: JobLock[]): JobLock[] {
  const seen = new Set<string>();
  for (const lock of locks) {
    if (!isNonEmptyString(lock.resource)) invalid('a lock needs a resource', { lock });
    if (lock.mode !== 'SHARED' && lock.mode !== 'EXCLUSIVE') invalid('a lock mode is SHARED or EXCLUSIVE', { lock });
    // One resource twice would make the job wait for itself.
    if (seen.has(lock.resource)) invalid(`lock ${lock.resource} requested twice`, { lock });
    seen.add(lock.resource);
  }
  return locks.map(({ resource, mode }) => ({ resource, mode }));
}

export function checkRetryPolicy(p: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) invalid('maxAttempts must be an integer >= 1', { retry: p });
  const { kind, initialMs, maxMs } = p.backoff;
  if (kind !== 'fixed' && kind !== 'exponential') invalid('backoff kind is fixed or exponential', { retry: p });
  if (!isNonNegativeInt(initialMs) || !isNonNegativeInt(maxMs) || maxMs < initialMs) {
    invalid('backoff needs integers 0 <= initialMs <= maxMs', { retry: p });
  }
  if (!p.nonRetryableErrors.every(isNonEmptyString)) invalid('nonRetryableErrors are error names', { retry: p });
  return {
    maxAttempts: p.maxAttempts,
    backoff: { kind, initialMs, maxMs },
    jitter: p.jitter,
    nonRetryableErrors: [...p.nonRetryableErrors],
  };
}

/** Turns a submit command into the submitted event's data, applying defaults, or throws INVALID_ARGUMENT. */
export function submittedDataOf(c: SubmitJob): JobSubmittedData {
  if (!isNonEmptyString(c.jobId)) invalid('jobId is required');
  if (!isNonEmptyString(c.jobType)) invalid('job type is required');
  const priority = c.priority ?? 0;
  if (!Number.isInteger(priority)) invalid('priority must be an integer', { priority });
  const mode = c.mode ?? 'async';
  if (mode !== 'async' && mode !== 'sync') invalid('mode is async or sync', { mode });
  if (c.syncDeadline !== undefined && (mode !== 'sync' || !isIsoInstant(c.syncDeadline))) {
    invalid('syncDeadline is an ISO time, for a sync job only', { syncDeadline: c.syncDeadline });
  }
  const workflowVariables = c.workflowVariables ?? {};
  if (!isPlainObject(workflowVariables)) invalid('workflowVariables must be an object');
  if (c.idempotencyKey !== undefined && !isNonEmptyString(c.idempotencyKey)) invalid('idempotencyKey must not be empty');
  if (c.definitionId !== undefined && !isNonEmptyString(c.definitionId)) invalid('definitionId must not be empty');
  return {
    jobId: c.jobId,
    type: c.jobType,
    // JSON has no undefined: an absent payload is recorded as null.
    payload: c.payload ?? null,
    priority,
    ...(c.idempotencyKey !== undefined && { idempotencyKey: c.idempotencyKey }),
    timeouts: checkTimeouts(c.timeouts ?? defaultTimeouts),
    locks: checkLocks(c.locks ?? []),
    retry: checkRetryPolicy(c.retry ?? defaultRetryPolicy),
    mode,
    ...(c.syncDeadline !== undefined && { syncDeadline: c.syncDeadline }),
    ...(c.definitionId !== undefined && { definitionId: c.definitionId }),
    workflowVariables,
  };
}
