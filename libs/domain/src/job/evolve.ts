import type { JobEvent } from './events';
import { initialJobState, type JobState } from './state';

/** Applies one recorded fact. Never validates: history is the truth, decide guards what enters it. */
export function evolveJob(state: JobState, event: JobEvent): JobState {
  const s: JobState = { ...state, version: state.version + 1, updatedAt: event.occurredAt };
  switch (event.type) {
    case 'job.submitted': {
      const d = event.data;
      return {
        ...s,
        exists: true,
        jobId: d.jobId,
        tenant: event.tenant,
        type: d.type,
        status: 'QUEUED',
        payload: d.payload,
        priority: d.priority,
        idempotencyKey: d.idempotencyKey ?? null,
        locks: d.locks,
        retry: d.retry,
        timeouts: d.timeouts,
        mode: d.mode,
        definitionId: d.definitionId ?? null,
        workflowVariables: d.workflowVariables,
        submittedAt: event.occurredAt,
      };
    }
    case 'job.waiting-for-lock':
      return { ...s, status: 'WAITING_FOR_LOCK' };
    case 'job.lock-granted':
      return { ...s, status: 'QUEUED' };
    case 'job.started':
      return {
        ...s,
        status: 'RUNNING',
        executorId: event.data.executorId,
        previousExecutorId: null,
        lastExecutorId: event.data.executorId,
        attempt: event.data.attempt,
        startedAt: event.occurredAt,
      };
    case 'job.progressed':
      return { ...s, progress: { percent: event.data.percent, message: event.data.message } };
    case 'job.step-completed':
      return { ...s, steps: { ...s.steps, [event.data.name]: event.data.result } };
    case 'job.completed':
      return {
        ...s,
        status: 'COMPLETED',
        executorId: null,
        progress: { ...s.progress, percent: 100 },
        jobVariables: { ...s.jobVariables, ...event.data.jobVariables },
        // A handler returns only the workflow variables it sets; the others travel on unchanged.
        workflowVariables: { ...s.workflowVariables, ...event.data.workflowVariables },
        output: event.data.output ?? null,
        endedAt: event.occurredAt,
      };
    case 'job.failed':
      return {
        ...s,
        status: 'FAILED',
        executorId: null,
        previousExecutorId: null,
        lastError: event.data.error
          ? { message: event.data.message, error: event.data.error }
          : { message: event.data.message },
        endedAt: event.occurredAt,
      };
    case 'job.cancel-requested':
      return { ...s, cancelRequested: true, cancelReason: event.data.reason ?? null };
    case 'job.cancelled':
      return { ...s, status: 'CANCELLED', executorId: null, previousExecutorId: null, endedAt: event.occurredAt };
    case 'job.timed-out':
      return { ...s, status: 'TIMED_OUT', previousExecutorId: s.executorId, executorId: null };
    case 'job.resumed':
      return { ...s, status: 'RUNNING', executorId: event.data.executorId, previousExecutorId: null, lastExecutorId: event.data.executorId };
    case 'job.retried':
      // A retry is a fresh execution: steps and progress restart, lastError stays to explain why.
      return {
        ...s,
        status: 'QUEUED',
        attempt: event.data.attempt,
        notBefore: event.data.notBefore,
        executorId: null,
        previousExecutorId: null,
        lastExecutorId: null,
        progress: { percent: 0, message: '' },
        steps: {},
        output: null,
        cancelRequested: false,
        cancelReason: null,
        startedAt: null,
        endedAt: null,
      };
    case 'job.orphaned':
      return { ...s, status: 'QUEUED', executorId: null, previousExecutorId: null, lastExecutorId: null };
    case 'job.deleted':
      return { ...s, deleted: true };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export const foldJob = (events: readonly JobEvent[], from: JobState = initialJobState): JobState =>
  events.reduce(evolveJob, from);
