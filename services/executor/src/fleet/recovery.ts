import { isDomainError, streamIdOf } from '@jobstream/domain';
import type { EventStore } from '@jobstream/event-store';
import { ACTIVE_JOBS_QUERY, rpc, type ActiveJobsReply } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { JobStream } from '../runtime/job-events';
import { messageOf } from './kv-errors';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start-up of an executor with a stable id (seed Dalet Flex: "on restarting a Job Executor service instance
 * all running jobs will be first TIMED_OUT"): the jobs the read model still shows RUNNING on this executor
 * died with its previous process. Each is timed out, which makes the dispatcher offer it again; this
 * executor (resuming) or another one with capacity (taking over) picks it up. The projector may lag or be
 * down: whatever this misses, the deadline watcher times out at the job's first deadline anyway.
 */
export async function timeOutLeftoverJobs(
  nc: NatsConnection,
  store: EventStore,
  executorId: string,
  timeoutMs: number,
  warn: (message: string) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let reply: ActiveJobsReply | undefined;
  while (!reply) {
    try {
      reply = await rpc<ActiveJobsReply>(nc, ACTIVE_JOBS_QUERY, { executorId }, 5_000);
    } catch (error) {
      if (Date.now() > deadline) {
        warn(`could not list the jobs left by a previous run (${messageOf(error)}); the deadline watcher will time them out`);
        return 0;
      }
      await pause(500);
    }
  }
  const leftovers = reply.jobs.filter((job) => job.status === 'RUNNING' && job.executorId === executorId);
  const timedOut = await Promise.all(
    leftovers.map(async ({ tenant, jobId }) => {
      const [first] = await store.read(streamIdOf(tenant, 'job', jobId));
      if (!first) return false;
      const who = { tenant, actor: `executor:${executorId}`, correlationId: first.event.correlationId, causationId: null };
      const stream = await JobStream.open(store, who, jobId);
      try {
        await stream.apply({ type: 'timeOut', executorId });
        return true;
      } catch (error) {
        // Already timed out by the watcher, or finished: nothing left to hand back.
        if (isDomainError(error)) return false;
        throw error;
      }
    }),
  );
  return timedOut.filter(Boolean).length;
}
