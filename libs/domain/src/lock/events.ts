import type { DomainEvent } from '../shared/envelope';

export const LOCK_MODES = ['SHARED', 'EXCLUSIVE'] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export interface LockSpec {
  resource: string;
  mode: LockMode;
}

export const LOCK_RELEASE_REASONS = ['job-ended', 'cancelled', 'timed-out'] as const;
export type LockReleaseReason = (typeof LOCK_RELEASE_REASONS)[number];

export interface LockRequestedData {
  jobId: string;
  locks: readonly LockSpec[];
}

/** Always the job's whole request: a job never holds part of its locks. */
export interface LockGrantedData {
  jobId: string;
  locks: readonly LockSpec[];
}

/** Drops the job from the table, whether it was holding or still waiting. */
export interface LockReleasedData {
  jobId: string;
  reason: LockReleaseReason;
}

/** The admin who forced it is the envelope's `actor`. */
export interface LockForceReleasedData {
  resource: string;
  /** Every job that held the resource; each loses all of its locks, not just this one. */
  jobIds: readonly string[];
  reason?: string;
}

export type LockRequested = DomainEvent<'lock.requested', LockRequestedData>;
export type LockGranted = DomainEvent<'lock.granted', LockGrantedData>;
export type LockReleased = DomainEvent<'lock.released', LockReleasedData>;
export type LockForceReleased = DomainEvent<'lock.force-released', LockForceReleasedData>;

export type LockEvent = LockRequested | LockGranted | LockReleased | LockForceReleased;
