import { DomainError } from '../shared/domain-error';
import type { EventContext } from '../shared/envelope';
import { WATCHER, type FailJob, type JobCommand, type SubmitJob } from './commands';
import { jobEmitter, notBeforeAfterBackoff, retryEvents, type JobEmitter } from './emit';
import type { JobEvent } from './events';
import { invalid, isNonEmptyString, requireOwner, requireStatus } from './guards';
import { policyAllowsRetry } from './policy';
import { isTerminal, type JobState } from './state';
import { submittedDataOf } from './validate-submit';

/**
 * Decides which facts a command produces, or throws DomainError.
 * Checks run in this order: existence, status, ownership, then the command's arguments, so a stale
 * executor learns it lost the job before it learns anything about its input.
 */
export function decideJob(command: JobCommand, state: JobState, ctx: EventContext): JobEvent[] {
  if (command.type === 'submit') return decideSubmit(command, state, ctx);
  if (!state.exists || state.deleted || state.jobId === null) {
    throw new DomainError('NOT_FOUND', 'no such job', { jobId: state.jobId, command: command.type });
  }
  const emit = jobEmitter(ctx, state.jobId);
  switch (command.type) {
    case 'grantLock':
      requireStatus(state, command, ['WAITING_FOR_LOCK']);
      return [emit('job.lock-granted', { locks: state.locks })];
    case 'start':
      return decideStart(command.executorId, state, ctx, emit);
    case 'progress':
      requireRunningOwner(state, command);
      if (!Number.isFinite(command.percent) || command.percent < 0 || command.percent > 100) {
        invalid('percent must be within 0..100', { percent: command.percent });
      }
      return [emit('job.progressed', { executorId: command.executorId, percent: command.percent, message: command.message })];
    case 'completeStep':
      requireRunningOwner(state, command);
      if (!isNonEmptyString(command.name)) invalid('a step needs a name');
      if (Object.prototype.hasOwnProperty.call(state.steps, command.name)) {
        throw new DomainError('ILLEGAL_TRANSITION', `step ${command.name} is already completed`, {
          jobId: state.jobId,
          step: command.name,
        });
      }
      return [emit('job.step-completed', { executorId: command.executorId, name: command.name, result: command.result ?? null })];
    case 'complete':
      requireRunningOwner(state, command);
      return [
        emit('job.completed', {
          executorId: command.executorId,
          jobVariables: command.jobVariables ?? {},
          workflowVariables: command.workflowVariables ?? {},
          ...(command.output !== undefined && { output: command.output }),
        }),
      ];
    case 'fail':
      return decideFail(command, state, ctx, emit);
    case 'requestCancel':
      return decideRequestCancel(command.reason, state, emit);
    case 'confirmCancel':
      requireRunningOwner(state, command);
      if (!state.cancelRequested) {
        throw new DomainError('ILLEGAL_TRANSITION', 'nobody asked to cancel this job', { jobId: state.jobId });
      }
      return [emit('job.cancelled', { ...reasonOf(state.cancelReason), abandoned: command.abandoned })];
    case 'timeOut':
      requireRunningOwner(state, command);
      return [emit('job.timed-out', { executorId: command.executorId, deadline: 'first' })];
    case 'resume':
      requireStatus(state, command, ['TIMED_OUT']);
      if (command.executorId !== state.previousExecutorId) {
        throw new DomainError('NOT_OWNER', 'only the executor that timed out may resume; others start (take over)', {
          jobId: state.jobId,
          executorId: command.executorId,
          previousExecutorId: state.previousExecutorId,
        });
      }
      return [emit('job.resumed', { executorId: command.executorId })];
    case 'retry':
      requireStatus(state, command, ['FAILED', 'CANCELLED', 'TIMED_OUT']);
      return retryEvents(emit, { attempt: state.attempt + 1, reason: 'manual', notBefore: ctx.now, locks: state.locks });
    case 'markOrphaned':
      return decideOrphaned(command.thresholdMs, state, ctx, emit);
    case 'delete':
      requireStatus(state, command, ['COMPLETED', 'FAILED', 'CANCELLED'], `cannot delete a job that is ${state.status}: only finished jobs`);
      return [emit('job.deleted', {})];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

// A deleted job keeps its stream, so its id stays taken: submitting it again is ALREADY_EXISTS.
function decideSubmit(command: SubmitJob, state: JobState, ctx: EventContext): JobEvent[] {
  if (state.exists) throw new DomainError('ALREADY_EXISTS', `job ${state.jobId} already exists`, { jobId: state.jobId });
  const data = submittedDataOf(command);
  const emit = jobEmitter(ctx, data.jobId);
  const submitted = emit('job.submitted', data);
  return data.locks.length > 0 ? [submitted, emit('job.waiting-for-lock', { locks: data.locks })] : [submitted];
}

function requireRunningOwner(state: JobState, command: Extract<JobCommand, { executorId: string }>): void {
  requireStatus(state, command, ['RUNNING']);
  requireOwner(state, command.executorId);
}

/** QUEUED starts a fresh execution; TIMED_OUT is a takeover by any executor, keeping the attempt. */
function decideStart(executorId: string, state: JobState, ctx: EventContext, emit: JobEmitter): JobEvent[] {
  requireStatus(
    state,
    { type: 'start', executorId },
    ['QUEUED', 'TIMED_OUT'],
    state.status === 'RUNNING' ? 'cannot start a job twice' : undefined,
  );
  if (!isNonEmptyString(executorId) || executorId === WATCHER) invalid('not a valid executor id', { executorId });
  // Too early is a matter of state (the backoff has not elapsed), not of the caller's input.
  if (state.notBefore !== null && ctx.now.getTime() < Date.parse(state.notBefore)) {
    throw new DomainError('ILLEGAL_TRANSITION', `job cannot start before ${state.notBefore}`, {
      jobId: state.jobId,
      notBefore: state.notBefore,
    });
  }
  return [emit('job.started', { executorId, attempt: state.attempt })];
}

/** The owner fails a running job; past the second deadline only the watcher fails a timed-out one. */
function decideFail(command: FailJob, state: JobState, ctx: EventContext, emit: JobEmitter): JobEvent[] {
  requireStatus(state, command, ['RUNNING', 'TIMED_OUT']);
  if (state.status === 'RUNNING') requireOwner(state, command.executorId);
  else if (command.executorId !== WATCHER) {
    throw new DomainError('NOT_OWNER', 'a timed-out job is failed by the watcher only', {
      jobId: state.jobId,
      executorId: command.executorId,
    });
  }
  if (!isNonEmptyString(command.message)) invalid('a failure needs a message');
  if (command.jitter !== undefined && !(command.jitter >= 0 && command.jitter < 1)) {
    invalid('jitter must be within [0, 1)', { jitter: command.jitter });
  }
  const failed = emit('job.failed', {
    executorId: command.executorId,
    message: command.message,
    ...(command.error !== undefined && { error: command.error }),
  });
  if (!policyAllowsRetry(state.retry, state.attempt, command.error?.name)) return [failed];
  if (state.retry.jitter && command.jitter === undefined) invalid('this retry policy needs a jitter draw in [0, 1)');
  const notBefore = notBeforeAfterBackoff(ctx.now, state.retry, state.attempt, command.jitter ?? 0);
  return [failed, ...retryEvents(emit, { attempt: state.attempt + 1, reason: 'policy', notBefore, locks: state.locks })];
}

const reasonOf = (reason: string | null | undefined) => (reason == null ? {} : { reason });

/** Nothing runs the job outside RUNNING, so the cancellation is immediate there; a running handler must confirm. */
function decideRequestCancel(reason: string | undefined, state: JobState, emit: JobEmitter): JobEvent[] {
  if (isTerminal(state.status)) {
    throw new DomainError('ILLEGAL_TRANSITION', `cannot cancel a job that is ${state.status}`, { jobId: state.jobId });
  }
  if (state.status === 'RUNNING') {
    if (state.cancelRequested) {
      throw new DomainError('ILLEGAL_TRANSITION', 'cancellation already requested', { jobId: state.jobId });
    }
    return [emit('job.cancel-requested', reasonOf(reason))];
  }
  // A request made while RUNNING survives a timeout or orphaning; asking again then cancels at once.
  const requested = state.cancelRequested ? [] : [emit('job.cancel-requested', reasonOf(reason))];
  return [...requested, emit('job.cancelled', { ...reasonOf(reason ?? state.cancelReason), abandoned: false })];
}

/** Refuses to orphan a job that reported recently: the scan that found it silent may be stale. */
function decideOrphaned(thresholdMs: number, state: JobState, ctx: EventContext, emit: JobEmitter): JobEvent[] {
  requireStatus(state, { type: 'markOrphaned', thresholdMs }, ['RUNNING']);
  if (!Number.isFinite(thresholdMs) || thresholdMs <= 0) invalid('thresholdMs must be positive', { thresholdMs });
  const lastEventAt = state.updatedAt ?? '';
  if (ctx.now.getTime() - Date.parse(lastEventAt) < thresholdMs) {
    throw new DomainError('ILLEGAL_TRANSITION', 'job reported within the threshold; not orphaned', {
      jobId: state.jobId,
      lastEventAt,
      thresholdMs,
    });
  }
  return [emit('job.orphaned', { executorId: state.executorId ?? '', lastEventAt, thresholdMs })];
}
