import { randomUUID } from 'node:crypto';
import { decideJob, evolveJob, initialJobState, WATCHER, type DomainEvent, type JobEvent, type JobState } from '@jobstream/domain';
import { handleCommand, type Aggregate, type EventStore, type Subscription } from '@jobstream/event-store';
import {
  ACTIVE_JOBS_QUERY,
  FLEET_BUCKETS,
  HEARTBEAT_BUCKET_TTL_MS,
  openFleetBucket,
  rpc,
  type ActiveJobsReply,
  type Heartbeat,
} from '@jobstream/messaging';
import { JSONCodec, type KvEntry, type NatsConnection, type QueuedIterator } from 'nats';
import type { DeadlineConfig } from './deadline-config';
import { DeadlineTracker, type DueDeadline } from './deadline-tracker';

const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (s, e) => evolveJob(s, e as JobEvent) };
const beatCodec = JSONCodec<Heartbeat>();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface WatchLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * One leader's watch: the live jobs from the log (seeded by the projector's list of active jobs and its
 * checkpoint, then followed from that checkpoint), the heartbeats from KV, and a periodic check.
 * First deadline missed → `timeOut` on the owner's behalf; the dispatcher then offers the job to any
 * executor. Second deadline missed while still TIMED_OUT → `fail` as the watcher, which the job's retry
 * policy may turn into `job.retried`.
 */
export class DeadlineWatch {
  private readonly tracker = new DeadlineTracker();
  private subscription?: Subscription;
  private beats?: QueuedIterator<KvEntry>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly acting = new Set<Promise<void>>();

  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly config: DeadlineConfig,
    private readonly logger: WatchLogger,
  ) {}

  async start(): Promise<void> {
    const fromPosition = await this.seed();
    if (this.stopped) return;
    this.subscription = await this.store.subscribe({
      fromPosition,
      aggregates: ['job'],
      handler: async (batch) => {
        for (const { event } of batch.events) this.tracker.apply(event);
        this.tracker.sweep();
      },
    });
    void this.watchHeartbeats();
    this.timer = setInterval(() => this.check(), this.config.checkEveryMs);
    this.logger.log(`watching deadlines of ${this.tracker.size} active job(s) from ${fromPosition ?? 'the start of the log'}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.beats?.stop();
    await this.subscription?.stop();
    await Promise.all(this.acting);
  }

  /** The projector's active jobs and the checkpoint they reflect, or the whole log when it does not answer. */
  private async seed(): Promise<string | undefined> {
    const deadline = Date.now() + this.config.seedTimeoutMs;
    while (!this.stopped) {
      try {
        const reply = await rpc<ActiveJobsReply>(this.nc, ACTIVE_JOBS_QUERY, {}, 5_000);
        this.tracker.seed(reply.jobs);
        return reply.position ?? undefined;
      } catch (error) {
        if (Date.now() > deadline) {
          this.logger.warn(`no list of active jobs from the projector (${messageOf(error)}): reading the whole log`);
          return undefined;
        }
        await pause(500);
      }
    }
    return undefined;
  }

  /** Heartbeats are not in the log: follow the KV bucket; a broken watch is opened again. */
  private async watchHeartbeats(): Promise<void> {
    while (!this.stopped) {
      try {
        const kv = await openFleetBucket(this.nc, FLEET_BUCKETS.heartbeats, HEARTBEAT_BUCKET_TTL_MS);
        this.beats = await kv.watch({ key: '>' });
        for await (const entry of this.beats) {
          this.tracker.heartbeat(entry.key, entry.operation === 'PUT' && entry.value.length > 0 ? beatCodec.decode(entry.value) : null);
        }
      } catch (error) {
        this.logger.warn(`heartbeat watch failed: ${messageOf(error)}`);
      }
      if (!this.stopped) await pause(1_000);
    }
  }

  private check(): void {
    const now = Date.now();
    for (const job of this.tracker.unknownTimeouts(now)) {
      job.quietUntil = now + 5_000;
      this.track(
        this.store.read(job.streamId).then((recorded) => {
          job.timeouts = recorded.map((r) => r.event).reduce((s: JobState, e: DomainEvent) => JOB.evolve(s, e), initialJobState).timeouts;
          job.quietUntil = 0;
        }),
      );
    }
    for (const due of this.tracker.due(now)) {
      due.job.quietUntil = now + 60_000;
      this.track(
        this.act(due).then(
          () => (due.job.quietUntil = Date.now() + this.config.checkEveryMs),
          (error) => {
            due.job.quietUntil = Date.now() + 5_000;
            throw error;
          },
        ),
      );
    }
  }

  private track(work: Promise<unknown>): void {
    const done: Promise<void> = work.then(
      () => undefined,
      (error) => this.logger.warn(`deadline check failed: ${messageOf(error)}`),
    );
    this.acting.add(done);
    void done.finally(() => this.acting.delete(done));
  }

  /** Decides on the stream as it is now: a job that reported meanwhile, or moved on, is left alone. */
  private async act({ job, deadline }: DueDeadline): Promise<void> {
    const recorded = await this.store.read(job.streamId);
    const last = recorded[recorded.length - 1]?.event;
    if (!last) return;
    const known = { state: recorded.reduce((s, r) => JOB.evolve(s, r.event), initialJobState), revision: recorded.length - 1 };
    const ctx = { tenant: job.tenant, actor: WATCHER, correlationId: last.correlationId, causationId: last.eventId, now: new Date(), newId: randomUUID };
    const handled = await handleCommand(
      this.store,
      job.streamId,
      JOB,
      (state) => {
        const silentMs = ctx.now.getTime() - Math.max(this.tracker.lastSignOfLife(job), Date.parse(state.updatedAt ?? '') || 0);
        if (deadline === 'first') {
          if (state.status !== 'RUNNING' || state.executorId === null || state.executorId !== job.owner || silentMs < this.tracker.firstDeadlineMs(job)) return [];
          return decideJob({ type: 'timeOut', executorId: state.executorId }, state, ctx);
        }
        const secondMs = state.timeouts.secondDeadlineMs;
        if (state.status !== 'TIMED_OUT' || ctx.now.getTime() - this.tracker.lastSignOfLife(job) < secondMs) return [];
        const message = `no sign of life from executor ${state.previousExecutorId} within the second deadline (${secondMs} ms)`;
        return decideJob({ type: 'fail', executorId: WATCHER, message, jitter: Math.random() }, state, ctx);
      },
      { known },
    );
    if (handled.events.length > 0) {
      this.logger.log(`${handled.events.map((e) => e.type).join(', ')}: ${job.streamId} (${deadline} deadline)`);
    }
  }
}
