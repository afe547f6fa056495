import type { LockMode, LockSpec } from './events';

export interface LockHolder {
  jobId: string;
  mode: LockMode;
  /** When the lock was granted (occurredAt of `lock.granted`). */
  since: string;
}

export interface LockWaiter {
  jobId: string;
  mode: LockMode;
  /** When the job asked (occurredAt of `lock.requested`). */
  since: string;
  /** Arrival order across the whole tenant; queues are kept sorted by it. */
  seq: number;
}

export interface ResourceLocks {
  holders: readonly LockHolder[];
  waiters: readonly LockWaiter[];
}

export interface JobLockRequest {
  jobId: string;
  locks: readonly LockSpec[];
  seq: number;
  requestedAt: string;
  /** Null while the job waits; set once, for all of its locks together. */
  grantedAt: string | null;
}

/**
 * One lock table per tenant. Only resources with a holder or a waiter and only jobs still in the
 * table are kept, so the state stays the size of what is currently contended, not of history.
 */
export interface LockTableState {
  nextSeq: number;
  resources: ReadonlyMap<string, ResourceLocks>;
  jobs: ReadonlyMap<string, JobLockRequest>;
}

export const initialLockTableState: LockTableState = {
  nextSeq: 1,
  resources: new Map(),
  jobs: new Map(),
};
