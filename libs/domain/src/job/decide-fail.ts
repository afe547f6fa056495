import { DomainError } from '../shared/domain-error';
import type { EventContext } from '../shared/envelope';
import { WATCHER, type FailJob } from './commands';
import { notBeforeAfterBackoff, retryEvents, type JobEmitter } from './emit';
import type { JobEvent } from './events';
import { invalid, isNonEmptyString, requireOwner, requireStatus } from './guards';
import { policyAllowsRetry } from './policy';
import type { JobState } from './state';

/** The owner fails a running job; past the second deadline only the watcher fails a timed-out one. */
export function decideFail(command: FailJob, state: JobState, ctx: EventContext, emit: JobEmitter): JobEvent[] {
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

