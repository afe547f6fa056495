import { randomUUID } from 'node:crypto';
import { decideJob, evolveJob, initialJobState, isDomainError, streamIdOf, type JobEvent, type JobState } from '@jobstream/domain';
import { handleCommand, type Aggregate, type EventStore } from '@jobstream/event-store';
import { heartbeatKey, type Heartbeat } from '@jobstream/messaging';
import { JSONCodec, type KV } from 'nats';
import type { ReadModel } from '../read-model/read-model';

const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (s, e) => evolveJob(s, e as JobEvent) };
const beatCodec = JSONCodec<Heartbeat>();
/** Jobs flagged per scan at most; the next scan takes the rest. */
const SCAN_LIMIT = 1_000;
const CONCURRENCY = 16;

export interface ScanResult {
  candidates: number;
  flagged: number;
  /** Silent in the log but heartbeating (a listener with nothing to report): alive. */
  alive: number;
  /** Refused by the domain: another scanner flagged it first, or it reported or moved on meanwhile. */
  refused: number;
}

/**
 * Seed Activate's orphan detection: a job RUNNING with no event since the threshold is flagged
 * `job.orphaned` (status QUEUED), and the dispatcher requeues it. The read model finds candidates
 * (index on status, updated_at); heartbeats spare jobs that are alive without events; the domain makes
 * the final call on the stream itself (markOrphaned checks the threshold again), so several scanners
 * at once flag a job once and the others' attempts are refused.
 */
export class OrphanScanner {
  constructor(
    private readonly readModel: ReadModel,
    private readonly store: EventStore,
    private readonly heartbeats: KV,
    private readonly thresholdMs: number,
  ) {}

  async scan(now = new Date()): Promise<ScanResult> {
    const candidates = this.readModel.silentRunningJobs(new Date(now.getTime() - this.thresholdMs).toISOString(), SCAN_LIMIT);
    const result: ScanResult = { candidates: candidates.length, flagged: 0, alive: 0, refused: 0 };
    for (let i = 0; i < candidates.length; i += CONCURRENCY) {
      await Promise.all(candidates.slice(i, i + CONCURRENCY).map(async ({ tenant, jobId }) => (result[await this.flag(tenant, jobId)] += 1)));
    }
    return result;
  }

  private async flag(tenant: string, jobId: string): Promise<'flagged' | 'alive' | 'refused'> {
    const entry = await this.heartbeats.get(heartbeatKey(tenant, jobId));
    if (entry?.operation === 'PUT' && entry.value.length > 0 && Date.now() - Date.parse(beatCodec.decode(entry.value).at) < this.thresholdMs) {
      return 'alive';
    }
    const streamId = streamIdOf(tenant, 'job', jobId);
    const recorded = await this.store.read(streamId);
    const last = recorded[recorded.length - 1]?.event;
    if (!last) return 'refused';
    const known = { state: recorded.reduce((s, r) => JOB.evolve(s, r.event), initialJobState), revision: recorded.length - 1 };
    const ctx = { tenant, actor: 'orphan-scanner', correlationId: last.correlationId, causationId: last.eventId, now: new Date(), newId: randomUUID };
    try {
      await handleCommand(this.store, streamId, JOB, (state) => decideJob({ type: 'markOrphaned', thresholdMs: this.thresholdMs }, state, ctx), { known });
      return 'flagged';
    } catch (error) {
      if (isDomainError(error)) return 'refused';
      throw error;
    }
  }
}
