import type { JobFailureError, JobMode, JobLock } from './events';
import { defaultRetryPolicy, defaultTimeouts, type JobTimeouts, type RetryPolicy } from './policy';

export const JOB_STATUSES = [
  'QUEUED',
  'WAITING_FOR_LOCK',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/** TIMED_OUT is not terminal: the job still awaits a takeover, a resume or the second deadline. */
const TERMINAL: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export const isTerminal = (status: JobStatus | null): boolean => status !== null && TERMINAL.includes(status);

export interface JobState {
  exists: boolean;
  deleted: boolean;
  jobId: string | null;
  tenant: string | null;
  type: string | null;
  /** Null only before job.submitted. */
  status: JobStatus | null;
  payload: unknown;
  priority: number;
  idempotencyKey: string | null;
  locks: JobLock[];
  retry: RetryPolicy;
  timeouts: JobTimeouts;
  mode: JobMode;
  definitionId: string | null;
  attempt: number;
  /** The executor that owns the running job; null whenever the job is not RUNNING. */
  executorId: string | null;
  /** The owner when the job timed out: the only executor allowed to resume it. */
  previousExecutorId: string | null;
  /**
   * Who ran the latest attempt: the owner while RUNNING, and still set once it ended (COMPLETED, FAILED,
   * CANCELLED, TIMED_OUT), so views can say which executor ran it; null before a start and after a requeue.
   */
  lastExecutorId: string | null;
  progress: { percent: number; message: string };
  steps: Record<string, unknown>;
  jobVariables: Record<string, unknown>;
  workflowVariables: Record<string, unknown>;
  output: unknown;
  lastError: { message: string; error?: JobFailureError } | null;
  cancelRequested: boolean;
  /** Kept so the executor's confirmation records why the job was cancelled. */
  cancelReason: string | null;
  submittedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string | null;
  /** A retried job must not start before this instant (backoff). */
  notBefore: string | null;
  /** Number of events folded; the expected stream revision for the next append. */
  version: number;
}

export const initialJobState: JobState = {
  exists: false,
  deleted: false,
  jobId: null,
  tenant: null,
  type: null,
  status: null,
  payload: null,
  priority: 0,
  idempotencyKey: null,
  locks: [],
  retry: defaultRetryPolicy,
  timeouts: defaultTimeouts,
  mode: 'async',
  definitionId: null,
  attempt: 1,
  executorId: null,
  previousExecutorId: null,
  lastExecutorId: null,
  progress: { percent: 0, message: '' },
  steps: {},
  jobVariables: {},
  workflowVariables: {},
  output: null,
  lastError: null,
  cancelRequested: false,
  cancelReason: null,
  submittedAt: null,
  startedAt: null,
  endedAt: null,
  updatedAt: null,
  notBefore: null,
  version: 0,
};
