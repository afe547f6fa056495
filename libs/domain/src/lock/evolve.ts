import type { LockEvent } from './events';
import type { LockTableState, ResourceLocks } from './state';

const NO_LOCKS: ResourceLocks = { holders: [], waiters: [] };

export function evolveLockTable(state: LockTableState, event: LockEvent): LockTableState {
  switch (event.type) {
    case 'lock.requested': {
      const { jobId, locks } = event.data;
      const seq = state.nextSeq;
      const since = event.occurredAt;
      const resources = new Map(state.resources);
      for (const { resource, mode } of locks) {
        const entry = resources.get(resource) ?? NO_LOCKS;
        resources.set(resource, { ...entry, waiters: [...entry.waiters, { jobId, mode, since, seq }] });
      }
      const jobs = new Map(state.jobs);
      jobs.set(jobId, { jobId, locks, seq, requestedAt: since, grantedAt: null });
      return { nextSeq: seq + 1, resources, jobs };
    }
    case 'lock.granted': {
      const job = state.jobs.get(event.data.jobId);
      if (!job) return state;
      const since = event.occurredAt;
      const resources = new Map(state.resources);
      for (const { resource, mode } of job.locks) {
        const entry = resources.get(resource) ?? NO_LOCKS;
        resources.set(resource, {
          holders: [...entry.holders, { jobId: job.jobId, mode, since }],
          waiters: entry.waiters.filter((waiter) => waiter.jobId !== job.jobId),
        });
      }
      const jobs = new Map(state.jobs);
      jobs.set(job.jobId, { ...job, grantedAt: since });
      return { ...state, resources, jobs };
    }
    case 'lock.released':
      return removeJobs(state, [event.data.jobId]);
    case 'lock.force-released':
      return removeJobs(state, event.data.jobIds);
    default: {
      const unexpected: never = event;
      throw new Error(`unknown lock event: ${(unexpected as { type: string }).type}`);
    }
  }
}

function removeJobs(state: LockTableState, jobIds: readonly string[]): LockTableState {
  const resources = new Map(state.resources);
  const jobs = new Map(state.jobs);
  for (const jobId of jobIds) {
    const job = jobs.get(jobId);
    if (!job) continue;
    jobs.delete(jobId);
    for (const { resource } of job.locks) {
      const entry = resources.get(resource) ?? NO_LOCKS;
      const holders = entry.holders.filter((holder) => holder.jobId !== jobId);
      const waiters = entry.waiters.filter((waiter) => waiter.jobId !== jobId);
      if (holders.length === 0 && waiters.length === 0) resources.delete(resource);
      else resources.set(resource, { holders, waiters });
    }
  }
  return { ...state, resources, jobs };
}
