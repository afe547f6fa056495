import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DomainEvent, parseStreamId } from '@jobstream/domain';
import { CommittedBatch, EVENT_STORE, EventStore, Subscription } from '@jobstream/event-store';
import { CheckpointStore, ensureWorkStream, NATS_CONNECTION, subjects, WorkItem, workCodec } from '@jobstream/messaging';
import { JetStreamClient, NatsConnection } from 'nats';
import { becomesRunnable } from './runnable';

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

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureWorkStream(await this.nc.jetstreamManager());
    this.js = this.nc.jetstream();
    this.checkpoints = await CheckpointStore.open(this.nc, 'dispatcher');
    const fromPosition = await this.checkpoints.load();
    this.subscription = await this.store.subscribe({ fromPosition, handler: (batch) => this.dispatch(batch) });
    this.logger.log(`dispatching from ${fromPosition ?? 'the start of the log'}`);
  }

  private async dispatch(batch: CommittedBatch): Promise<void> {
    const events = batch.events.map((r) => r.event);
    await Promise.all(
      events.filter((e) => e.streamId.includes('.job.') && becomesRunnable(e, events)).map((e) => this.publish(e)),
    );
    this.checkpoints.save(batch.position);
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
    await this.checkpoints?.flush();
  }
}
