import { defaultTimeouts, type DomainEvent, type JobTimeouts } from '@jobstream/domain';
import type { ActiveJob, Heartbeat } from '@jobstream/messaging';

type TrackedStatus = 'QUEUED' | 'RUNNING' | 'TIMED_OUT' | 'ENDED';

export interface TrackedJob {
  streamId: string;
  tenant: string;
  jobId: string;
  status: TrackedStatus;
  /** The owner while RUNNING; the owner it had when it timed out while TIMED_OUT. */
  owner: string | null;
  /** Latest sign of life recorded in the log by the owner (started, resumed, progressed, step-completed). */
  lastEventAt: number;
  /** Null when the job was submitted before the watcher started reading: loaded from its stream. */
  timeouts: JobTimeouts | null;
  /** No action before this instant: one is in flight, or the last found the job alive. */
  quietUntil: number;
}

export interface DueDeadline {
  job: TrackedJob;
  deadline: 'first' | 'second';
}

interface Beat {
  executorId: string;
  at: number;
  leaseMs?: number;
}

const SIGN_OF_LIFE = new Set(['job.started', 'job.resumed', 'job.progressed', 'job.step-completed']);
const REQUEUED = new Set(['job.retried', 'job.orphaned', 'job.waiting-for-lock', 'job.lock-granted']);
const FINISHED = new Set(['job.completed', 'job.failed', 'job.cancelled', 'job.deleted']);

/**
 * What the deadline watcher knows of live jobs, folded from the log plus the heartbeats (KV). Pure
 * bookkeeping: it only says which jobs look past a deadline; the watcher then decides on each job's
 * stream as it is, through the domain, so a stale view here costs a no-op, never a wrong transition.
 */
export class DeadlineTracker {
  private readonly jobs = new Map<string, TrackedJob>();
  private readonly beats = new Map<string, Beat>();
  /** Streams that reached ENDED since the last sweep: sweeping only these keeps a commit O(its events), not O(jobs). */
  private readonly ended = new Set<string>();

  get size(): number {
    return this.jobs.size;
  }

  /** Jobs the read model shows active when the watcher starts (their timeouts come from their streams). */
  seed(active: ActiveJob[]): void {
    for (const job of active) {
      const streamId = `${job.tenant}.job.${job.jobId}`;
      this.jobs.set(streamId, {
        streamId,
        tenant: job.tenant,
        jobId: job.jobId,
        status: job.status,
        owner: job.executorId,
        lastEventAt: Date.parse(job.updatedAt),
        timeouts: job.timeouts,
        quietUntil: 0,
      });
    }
  }

  apply(event: DomainEvent): void {
    const [tenant, aggregate, jobId] = event.streamId.split('.');
    if (aggregate !== 'job') return;
    const at = Date.parse(event.occurredAt);
    const data = event.data as { executorId?: string; timeouts?: JobTimeouts };
    let job = this.jobs.get(event.streamId);
    if (event.type === 'job.submitted') {
      this.jobs.set(event.streamId, {
        streamId: event.streamId,
        tenant,
        jobId,
        status: 'QUEUED',
        owner: null,
        lastEventAt: at,
        timeouts: data.timeouts ?? defaultTimeouts,
        quietUntil: 0,
      });
      return;
    }
    if (!job) {
      if (!SIGN_OF_LIFE.has(event.type) && event.type !== 'job.timed-out') return;
      job = { streamId: event.streamId, tenant, jobId, status: 'QUEUED', owner: null, lastEventAt: at, timeouts: null, quietUntil: 0 };
      this.jobs.set(event.streamId, job);
    }
    if (event.type === 'job.started' || event.type === 'job.resumed') {
      job.status = 'RUNNING';
      job.owner = data.executorId ?? null;
      job.lastEventAt = at;
      job.quietUntil = 0;
    } else if (SIGN_OF_LIFE.has(event.type)) {
      if (job.status === 'RUNNING') job.lastEventAt = Math.max(job.lastEventAt, at);
    } else if (event.type === 'job.timed-out') {
      // The second deadline counts from the last sign of life, like the first: the time-out is not one.
      job.status = 'TIMED_OUT';
      job.owner = data.executorId ?? job.owner;
      job.quietUntil = 0;
    } else if (REQUEUED.has(event.type)) {
      job.status = 'QUEUED';
      job.owner = null;
    } else if (FINISHED.has(event.type)) {
      // A failure may be followed by job.retried in the same commit: swept after the whole commit.
      job.status = 'ENDED';
      this.ended.add(event.streamId);
    }
  }

  /** Forgets finished jobs; called after each commit. */
  sweep(): void {
    for (const streamId of this.ended) if (this.jobs.get(streamId)?.status === 'ENDED') this.jobs.delete(streamId);
    this.ended.clear();
  }

  /** A heartbeat put (null: deleted) under `<tenant>.<jobId>`. */
  heartbeat(key: string, beat: Heartbeat | null): void {
    if (beat === null) this.beats.delete(key);
    else this.beats.set(key, { executorId: beat.executorId, at: Date.parse(beat.at), leaseMs: beat.leaseMs });
  }

  /** The owner's latest sign of life: its last event or its last heartbeat, whichever is newer. */
  lastSignOfLife(job: TrackedJob): number {
    const beat = this.beats.get(`${job.tenant}.${job.jobId}`);
    return beat && beat.executorId === job.owner && job.status === 'RUNNING' ? Math.max(job.lastEventAt, beat.at) : job.lastEventAt;
  }

  /** The first deadline; a singleton job's owner is gone once its lease would have expired. */
  firstDeadlineMs(job: TrackedJob): number {
    const beat = this.beats.get(`${job.tenant}.${job.jobId}`);
    const first = (job.timeouts ?? defaultTimeouts).firstDeadlineMs;
    return beat?.leaseMs && beat.executorId === job.owner ? Math.min(first, beat.leaseMs) : first;
  }

  due(now: number): DueDeadline[] {
    const due: DueDeadline[] = [];
    for (const job of this.jobs.values()) {
      if (job.timeouts === null || now < job.quietUntil) continue;
      const silentMs = now - this.lastSignOfLife(job);
      if (job.status === 'RUNNING' && silentMs >= this.firstDeadlineMs(job)) due.push({ job, deadline: 'first' });
      else if (job.status === 'TIMED_OUT' && silentMs >= job.timeouts.secondDeadlineMs) due.push({ job, deadline: 'second' });
    }
    return due;
  }

  /** Active jobs whose timeouts are still unknown. */
  unknownTimeouts(now: number): TrackedJob[] {
    return [...this.jobs.values()].filter((j) => j.timeouts === null && j.status !== 'QUEUED' && now >= j.quietUntil);
  }
}
