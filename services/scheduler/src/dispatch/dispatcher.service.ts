import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DomainEvent, foldJob, JobEvent, parseStreamId } from '@jobstream/domain';
import { CommittedBatch, EVENT_STORE, EventStore, Subscription } from '@jobstream/event-store';
import { CheckpointStore, ensureWorkStream, NATS_CONNECTION, publishWorkItem } from '@jobstream/messaging';
import { NatsConnection } from 'nats';
import { InFlightWindow } from './in-flight-window';
import { becomesRunnable, dispatchDueAt } from './runnable';
import { SyncHolds } from './sync-holds';

/** Work-item publishes awaiting their JetStream ack at once; keeps the pipeline full (see README facts). */
const MAX_IN_FLIGHT = 256;
/**
 * How long after a sync job's deadline its work item waits: the executor that took the job may append
 * `job.started` a little after the gateway gave up, and this dispatcher may read the log a little late.
 */
const SYNC_DISPATCH_MARGIN_MS = 1_000;

interface HeldDispatch {
  event: DomainEvent;
  /** Ends the hold: the item was dispatched, or the job moved on without it. */
  settle: () => void;
}

/**
 * Turns the event log into work: for every event that makes a job runnable it publishes a work item
 * on `work.<type>`, deduplicated by the event id. Because it reads the log (not the submitter's
 * memory), a crash anywhere between append and dispatch never strands a QUEUED job. A sync job's
 * submit is held until its caller's deadline (see dispatchDueAt); the checkpoint stays behind a hold,
 * so a restart replays it.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('dispatcher');
  private readonly holds = new SyncHolds<HeldDispatch>();
  private subscription?: Subscription;
  private checkpoints!: CheckpointStore;
  private window!: InFlightWindow;
  private armed?: { timer: NodeJS.Timeout; at: number };
  private stopping = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureWorkStream(await this.nc.jetstreamManager());
    this.checkpoints = await CheckpointStore.open(this.nc, 'dispatcher');
    this.window = new InFlightWindow(MAX_IN_FLIGHT, (position) => this.checkpoints.save(position));
    const fromPosition = await this.checkpoints.load();
    this.subscription = await this.store.subscribe({ fromPosition, aggregates: ['job'], handler: (batch) => this.dispatch(batch) });
    this.logger.log(`dispatching from ${fromPosition ?? 'the start of the log'}`);
  }

  /** Publishes are pipelined; the checkpoint trails the oldest publish not yet acknowledged (or held). */
  private async dispatch(batch: CommittedBatch): Promise<void> {
    const events = batch.events.map((r) => r.event);
    const effects: Promise<void>[] = [];
    let held = false;
    for (const event of events) {
      if (!event.streamId.includes('.job.')) continue;
      this.holds.end(event.streamId)?.settle();
      if (!becomesRunnable(event, events)) continue;
      const dueAt = dispatchDueAt(event, SYNC_DISPATCH_MARGIN_MS);
      if (dueAt === undefined) {
        effects.push(this.publishUntilAcked(event));
      } else {
        effects.push(new Promise<void>((settle) => this.holds.hold(event.streamId, dueAt, { event, settle })));
        held = true;
      }
    }
    if (held) {
      this.window.hold(batch.position, Promise.all(effects));
      this.arm();
    } else {
      await this.window.add(batch.position, Promise.all(effects));
    }
  }

  /** One timer, for the earliest hold. A replay after a restart finds holds already due: they go at once. */
  private arm(): void {
    const at = this.holds.nextDueAt();
    if (at === undefined || this.stopping || (this.armed && this.armed.at <= at)) return;
    if (this.armed) clearTimeout(this.armed.timer);
    this.armed = { timer: setTimeout(() => this.releaseDue(), Math.max(0, at - Date.now())), at };
  }

  private releaseDue(): void {
    this.armed = undefined;
    for (const { event, settle } of this.holds.takeDue(Date.now())) void this.publishUntilAcked(event, true).then(settle, () => undefined);
    this.arm();
  }

  /** A work item is idempotent (message id = event id), so retrying until JetStream acks is safe. */
  private async publishUntilAcked(event: DomainEvent, ifStillQueued = false): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (ifStillQueued && !(await this.stillQueued(event))) return;
        return await this.publish(event);
      } catch (error) {
        if (this.stopping) throw error;
        this.logger.warn(`dispatch of ${event.streamId} failed (attempt ${attempt + 1}): ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 50 * 2 ** attempt)));
      }
    }
  }

  /**
   * A held submit falls due: the log, not this reader's view of it (which may lag, e.g. while replaying
   * after a restart), says whether the sync path left the job QUEUED.
   */
  private async stillQueued(event: DomainEvent): Promise<boolean> {
    const state = foldJob((await this.store.read(event.streamId)).map((r) => r.event as JobEvent));
    return state.status === 'QUEUED' && !state.deleted;
  }

  private async publish(event: DomainEvent): Promise<void> {
    const { tenant, id: jobId } = parseStreamId(event.streamId);
    await publishWorkItem(this.nc, {
      tenant,
      jobId,
      type: await this.jobType(event),
      causationId: event.eventId,
      correlationId: event.correlationId,
      notBefore: event.type === 'job.retried' ? (event.data as { notBefore?: string }).notBefore : undefined,
    });
  }

  /** `job.submitted` names the type; later events do not, so read it from the stream's first event. */
  private async jobType(event: DomainEvent): Promise<string> {
    if (event.type === 'job.submitted') return (event.data as { type: string }).type;
    const [first] = await this.store.read(event.streamId);
    return (first.event.data as { type: string }).type;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
    this.stopping = true;
    if (this.armed) clearTimeout(this.armed.timer);
    await this.window?.drain();
    await this.checkpoints?.flush();
  }
}
