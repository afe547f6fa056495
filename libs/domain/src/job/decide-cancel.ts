import { DomainError } from '../shared/domain-error';
import type { JobEmitter } from './emit';
import type { JobEvent } from './events';
import { isTerminal, type JobState } from './state';

const reasonOf = (reason: string | null | undefined) => (reason == null ? {} : { reason });

/** Nothing runs the job outside RUNNING, so the cancellation is immediate there; a running handler must confirm. */
export function decideRequestCancel(reason: string | undefined, state: JobState, emit: JobEmitter): JobEvent[] {
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


/** The running handler acknowledges the request; `abandoned` says it ignored the abort past the grace period. */
export function decideConfirmCancel(abandoned: boolean, state: JobState, emit: JobEmitter): JobEvent[] {
  if (!state.cancelRequested) {
    throw new DomainError('ILLEGAL_TRANSITION', 'nobody asked to cancel this job', { jobId: state.jobId });
  }
  return [emit('job.cancelled', { ...reasonOf(state.cancelReason), abandoned })];
}
