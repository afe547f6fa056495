import { DomainError } from '../shared/domain-error';
import { LOCK_MODES, LOCK_RELEASE_REASONS, type LockMode, type LockSpec } from './events';

export const DEFAULT_MAX_LOCKS_PER_JOB = 16;

/** A lock as it arrives from outside: the mode is still an unchecked string. */
export interface LockSpecInput {
  resource: string;
  mode: string;
}

const invalid = (field: string, message: string, details: Record<string, unknown> = {}): DomainError =>
  new DomainError('INVALID_ARGUMENT', `${field}: ${message}`, { field, ...details });

const isLockMode = (value: unknown): value is LockMode => (LOCK_MODES as readonly unknown[]).includes(value);

export function requireJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || jobId.trim() === '') throw invalid('jobId', 'must be a non-empty string');
  return jobId;
}

/**
 * Checks a job's lock declaration and returns it reduced to `{resource, mode}`, so nothing the caller
 * attached ends up in an event. Exported so the API can reject a bad declaration at submit time,
 * before the job ever reaches the lock manager.
 */
export function validateLocks(
  locks: readonly LockSpecInput[],
  maxLocks: number = DEFAULT_MAX_LOCKS_PER_JOB,
): LockSpec[] {
  if (!Number.isInteger(maxLocks) || maxLocks < 1) {
    throw invalid('maxLocks', 'must be a positive integer', { value: maxLocks });
  }
  if (!Array.isArray(locks) || locks.length === 0) throw invalid('locks', 'must list at least one lock');
  if (locks.length > maxLocks) {
    throw invalid('locks', `at most ${maxLocks} locks per job`, { max: maxLocks, count: locks.length });
  }
  const firstIndexOf = new Map<string, number>();
  return locks.map((spec: unknown, index) => {
    const field = `locks[${index}]`;
    if (typeof spec !== 'object' || spec === null) throw invalid(field, 'must be an object');
    const { resource, mode } = spec as Record<string, unknown>;
    if (typeof resource !== 'string' || resource.trim() === '') {
      throw invalid(`${field}.resource`, 'must be a non-empty string', { value: resource });
    }
    if (!isLockMode(mode)) {
      throw invalid(`${field}.mode`, `must be one of ${LOCK_MODES.join(', ')}`, { value: mode });
    }
    const firstIndex = firstIndexOf.get(resource);
    if (firstIndex !== undefined) {
      // Two modes on one resource within one job have no meaning; the job would conflict with itself.
      throw invalid(`${field}.resource`, `duplicates locks[${firstIndex}].resource`, { value: resource, firstIndex });
    }
    firstIndexOf.set(resource, index);
    return { resource, mode };
  });
}

export function requireReleaseReason(reason: unknown): void {
  if (!(LOCK_RELEASE_REASONS as readonly unknown[]).includes(reason)) {
    throw invalid('reason', `must be one of ${LOCK_RELEASE_REASONS.join(', ')}`, { value: reason });
  }
}
