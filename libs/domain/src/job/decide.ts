import { DomainError } from '../shared/domain-error';
import type { EventContext } from '../shared/envelope';
import { WATCHER, type JobCommand, type SubmitJob } from './commands';
import { decideConfirmCancel, decideRequestCancel } from './decide-cancel';
import { decideFail } from './decide-fail';
import { jobEmitter, retryEvents, type JobEmitter } from './emit';
import type { JobEvent } from './events';
import { invalid, isNonEmptyString, requireOwner, requireStatus } from './guards';
import type { JobState } from './state';
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
      return decideConfirmCancel(command.abandoned, state, emit);
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

export function requireRunningOwner(state: JobState, command: Extract<JobCommand, { executorId: string }>): void {
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
