import { DomainError } from '../shared/domain-error';
import { type EventContext, makeEvent, streamIdOf } from '../shared/envelope';
import type { LockEvent, LockGranted, LockMode, LockReleaseReason } from './events';
import { evolveLockTable } from './evolve';
import { holdersOf } from './queries';
import type { JobLockRequest, LockHolder, LockTableState } from './state';
import { type LockSpecInput, requireJobId, requireReleaseReason, validateLocks } from './validation';

export interface RequestLocks {
  type: 'request';
  jobId: string;
  locks: readonly LockSpecInput[];
  /** Defaults to DEFAULT_MAX_LOCKS_PER_JOB. */
  maxLocks?: number;
}

export interface ReleaseLocks {
  type: 'release';
  jobId: string;
  reason: LockReleaseReason;
}

/** An admin action; the admin is `ctx.actor`. */
export interface ForceReleaseLock {
  type: 'forceRelease';
  resource: string;
  reason?: string;
}

export type LockTableCommand = RequestLocks | ReleaseLocks | ForceReleaseLock;

/** All grants of a tenant go through this one stream, so one decider orders them all. */
export const lockTableStreamId = (tenant: string): string => streamIdOf(tenant, 'lock', 'table');

export function decideLockTable(command: LockTableCommand, state: LockTableState, ctx: EventContext): LockEvent[] {
  const streamId = lockTableStreamId(ctx.tenant);
  switch (command.type) {
    case 'request': {
      const jobId = requireJobId(command.jobId);
      const locks = validateLocks(command.locks, command.maxLocks);
      const existing = state.jobs.get(jobId);
      if (existing) {
        const status = existing.grantedAt === null ? 'waiting' : 'holding';
        throw new DomainError('ILLEGAL_TRANSITION', `job ${jobId} is already ${status} for its locks`, {
          jobId,
          status,
        });
      }
      const requested = makeEvent(ctx, streamId, 'lock.requested', { jobId, locks });
      return [requested, ...grantWhatIsGrantable(evolveLockTable(state, requested), ctx, streamId)];
    }
    case 'release': {
      const jobId = requireJobId(command.jobId);
      requireReleaseReason(command.reason);
      if (!state.jobs.has(jobId)) {
        throw new DomainError('NOT_FOUND', `job ${jobId} neither holds nor waits for a lock`, { jobId });
      }
      const released = makeEvent(ctx, streamId, 'lock.released', { jobId, reason: command.reason });
      return [released, ...grantWhatIsGrantable(evolveLockTable(state, released), ctx, streamId)];
    }
    case 'forceRelease': {
      const { resource, reason } = command;
      if (typeof resource !== 'string' || resource.trim() === '') {
        throw new DomainError('INVALID_ARGUMENT', 'resource: must be a non-empty string', { field: 'resource' });
      }
      const jobIds = holdersOf(state, resource).map((holder) => holder.jobId);
      if (jobIds.length === 0) {
        throw new DomainError('NOT_FOUND', `nobody holds ${resource}`, { resource });
      }
      const forced = makeEvent(
        ctx,
        streamId,
        'lock.force-released',
        reason === undefined ? { resource, jobIds } : { resource, jobIds, reason },
      );
      return [forced, ...grantWhatIsGrantable(evolveLockTable(state, forced), ctx, streamId)];
    }
    default: {
      const unexpected: never = command;
      throw new Error(`unknown lock command: ${(unexpected as { type: string }).type}`);
    }
  }
}

/**
 * One pass in arrival order reaches the fixpoint: a grant only adds holders (never unblocking a
 * later waiter by compatibility) and only unblocks later waiters by leaving the queue head.
 */
function grantWhatIsGrantable(state: LockTableState, ctx: EventContext, streamId: string): LockGranted[] {
  const waiting = [...state.jobs.values()].filter((job) => job.grantedAt === null).sort((a, b) => a.seq - b.seq);
  const granted: LockGranted[] = [];
  let current = state;
  for (const job of waiting) {
    if (!isGrantable(current, job)) continue;
    const event = makeEvent(ctx, streamId, 'lock.granted', { jobId: job.jobId, locks: job.locks });
    granted.push(event);
    current = evolveLockTable(current, event);
  }
  return granted;
}

/**
 * Being first in every queue is the FIFO rule that keeps an EXCLUSIVE waiter from being overtaken
 * by a stream of SHARED requests; checking all resources at once is what makes grants all-or-nothing.
 */
function isGrantable(state: LockTableState, job: JobLockRequest): boolean {
  return job.locks.every(({ resource, mode }) => {
    const entry = state.resources.get(resource);
    return entry !== undefined && entry.waiters[0]?.jobId === job.jobId && compatible(mode, entry.holders);
  });
}

const compatible = (mode: LockMode, holders: readonly LockHolder[]): boolean =>
  mode === 'SHARED' ? holders.every((holder) => holder.mode === 'SHARED') : holders.length === 0;
