import type { DomainEvent } from '../shared/envelope';
import type { JobTimeouts, RetryPolicy } from './policy';

export type JobLockMode = 'SHARED' | 'EXCLUSIVE';
export interface JobLock {
  resource: string;
  mode: JobLockMode;
}
export type JobMode = 'async' | 'sync';

/** A failure: `error` is present for a thrown exception (with its stack), absent for a structured failure. */
export interface JobFailureError {
  name: string;
  message: string;
  stack?: string;
}

export interface JobSubmittedData {
  jobId: string;
  type: string;
  payload: unknown;
  priority: number;
  idempotencyKey?: string;
  timeouts: JobTimeouts;
  locks: JobLock[];
  retry: RetryPolicy;
  mode: JobMode;
  /** Mode sync only: ISO time the caller stops waiting (absent in events recorded before it existed). */
  syncDeadline?: string;
  definitionId?: string;
  workflowVariables: Record<string, unknown>;
}

export interface JobEventDataMap {
  'job.submitted': JobSubmittedData;
  'job.waiting-for-lock': { locks: JobLock[] };
  'job.lock-granted': { locks: JobLock[] };
  'job.started': { executorId: string; attempt: number };
  'job.progressed': { executorId: string; percent: number; message: string };
  'job.step-completed': { executorId: string; name: string; result: unknown };
  'job.completed': {
    executorId: string;
    jobVariables: Record<string, unknown>;
    workflowVariables: Record<string, unknown>;
    output?: unknown;
  };
  'job.failed': { executorId: string; message: string; error?: JobFailureError };
  'job.cancel-requested': { reason?: string };
  'job.cancelled': { reason?: string; abandoned: boolean };
  'job.timed-out': { executorId: string; deadline: 'first' };
  'job.resumed': { executorId: string };
  'job.retried': { attempt: number; reason: 'manual' | 'policy'; notBefore: string };
  'job.orphaned': { executorId: string; lastEventAt: string; thresholdMs: number };
  'job.deleted': Record<string, never>;
}

export type JobEventType = keyof JobEventDataMap;

export const JOB_EVENT_TYPES = [
  'job.submitted',
  'job.waiting-for-lock',
  'job.lock-granted',
  'job.started',
  'job.progressed',
  'job.step-completed',
  'job.completed',
  'job.failed',
  'job.cancel-requested',
  'job.cancelled',
  'job.timed-out',
  'job.resumed',
  'job.retried',
  'job.orphaned',
  'job.deleted',
] as const satisfies readonly JobEventType[];

export type JobEventOf<T extends JobEventType> = DomainEvent<T, JobEventDataMap[T]>;

export type JobEvent = { [T in JobEventType]: JobEventOf<T> }[JobEventType];

export const isJobEvent = (event: DomainEvent): event is JobEvent =>
  (JOB_EVENT_TYPES as readonly string[]).includes(event.type);
