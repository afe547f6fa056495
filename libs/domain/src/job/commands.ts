import type { JobFailureError, JobMode, JobLock } from './events';
import type { JobTimeouts, RetryPolicy } from './policy';

/** The executor id a deadline watcher uses when it fails a job past its second deadline. */
export const WATCHER = 'watcher';

export interface SubmitJob {
  type: 'submit';
  jobId: string;
  /** The handler type; named jobType because `type` discriminates the command. */
  jobType: string;
  payload: unknown;
  priority?: number;
  idempotencyKey?: string;
  timeouts?: JobTimeouts;
  locks?: JobLock[];
  retry?: RetryPolicy;
  mode?: JobMode;
  /** A sync job: ISO time the caller stops waiting; until then the work queue leaves the job to the sync path. */
  syncDeadline?: string;
  definitionId?: string;
  workflowVariables?: Record<string, unknown>;
}

export interface GrantJobLock {
  type: 'grantLock';
}
export interface StartJob {
  type: 'start';
  executorId: string;
}
export interface ProgressJob {
  type: 'progress';
  executorId: string;
  percent: number;
  message: string;
}
export interface CompleteJobStep {
  type: 'completeStep';
  executorId: string;
  name: string;
  result: unknown;
}
export interface CompleteJob {
  type: 'complete';
  executorId: string;
  jobVariables?: Record<string, unknown>;
  workflowVariables?: Record<string, unknown>;
  output?: unknown;
}
export interface FailJob {
  type: 'fail';
  executorId: string;
  message: string;
  /** Present when the handler threw; absent for a structured failure it returned. */
  error?: JobFailureError;
  /** In [0, 1): the random draw for the retry policy's jitter, made by the caller. */
  jitter?: number;
}
export interface RequestJobCancel {
  type: 'requestCancel';
  reason?: string;
}
export interface ConfirmJobCancel {
  type: 'confirmCancel';
  executorId: string;
  abandoned: boolean;
}
export interface TimeOutJob {
  type: 'timeOut';
  executorId: string;
}
export interface ResumeJob {
  type: 'resume';
  executorId: string;
}
export interface RetryJob {
  type: 'retry';
}
export interface MarkJobOrphaned {
  type: 'markOrphaned';
  thresholdMs: number;
}
export interface DeleteJob {
  type: 'delete';
}

export type JobCommand =
  | SubmitJob
  | GrantJobLock
  | StartJob
  | ProgressJob
  | CompleteJobStep
  | CompleteJob
  | FailJob
  | RequestJobCancel
  | ConfirmJobCancel
  | TimeOutJob
  | ResumeJob
  | RetryJob
  | MarkJobOrphaned
  | DeleteJob;

export type JobCommandType = JobCommand['type'];
