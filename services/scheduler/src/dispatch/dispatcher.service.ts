import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DomainEvent, parseStreamId } from '@jobstream/domain';
import { CommittedBatch, EVENT_STORE, EventStore, Subscription } from '@jobstream/event-store';
import { CheckpointStore, ensureWorkStream, NATS_CONNECTION, subjects, WorkItem, workCodec } from '@jobstream/messaging';
import { JetStreamClient, NatsConnection } from 'nats';
import { InFlightWindow } from './in-flight-window';
import { becomesRunnable } from './runnable';

/** Work-item publishes awaiting their JetStream ack at once; keeps the pipeline full (see README facts). */
const MAX_IN_FLIGHT = 256;

/**
 * Turns the event log into work: for every event that makes a job runnable it publishes a work item
 * on `work.<type>`, deduplicated by the event id. Because it reads the log (not the submitter's
 * memory), a crash anywhere between append and dispatch never strands a QUEUED job.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('dispatcher');
  private subscription?: Subscription;
  private checkpoints!: CheckpointStore;
  private js!: JetStreamClient;
  private window!: InFlightWindow;
  private stopping = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureWorkStream(await this.nc.jetstreamManager());
    this.js = this.nc.jetstream();
    this.checkpoints = await CheckpointStore.open(this.nc, 'dispatcher');
    this.window = new InFlightWindow(MAX_IN_FLIGHT, (position) => this.checkpoints.save(position));
    const fromPosition = await this.checkpoints.load();
    this.subscription = await this.store.subscribe({ fromPosition, handler: (batch) => this.dispatch(batch) });
    this.logger.log(`dispatching from ${fromPosition ?? 'the start of the log'}`);
  }

  /** Publishes are pipelined; the checkpoint trails the oldest publish not yet acknowledged. */
  private async dispatch(batch: CommittedBatch): Promise<void> {
    const events = batch.events.map((r) => r.event);
    const runnable = events.filter((e) => e.streamId.includes('.job.') && becomesRunnable(e, events));
    await this.window.add(batch.position, Promise.all(runnable.map((e) => this.publishUntilAcked(e))));
  }

  /** A work item is idempotent (message id = event id), so retrying until JetStream acks is safe. */
  private async publishUntilAcked(event: DomainEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.publish(event);
      } catch (error) {
        if (this.stopping) throw error;
        this.logger.warn(`dispatch of ${event.streamId} failed (attempt ${attempt + 1}): ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 50 * 2 ** attempt)));
      }
    }
  }

  private async publish(event: DomainEvent): Promise<void> {
    const { tenant, id: jobId } = parseStreamId(event.streamId);
    const type = await this.jobType(event);
    const item: WorkItem = {
      tenant,
      jobId,
      type,
      causationId: event.eventId,
      correlationId: event.correlationId,
      notBefore: event.type === 'job.retried' ? (event.data as { notBefore?: string }).notBefore : undefined,
    };
    await this.js.publish(subjects.work(type), workCodec.encode(item), { msgID: event.eventId });
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
    await this.window?.drain();
    await this.checkpoints?.flush();
  }
}
