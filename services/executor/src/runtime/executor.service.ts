import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@jobstream/event-store';
import { NATS_CONNECTION, subjects } from '@jobstream/messaging';
import { NatsConnection, Subscription } from 'nats';
import { Fleet } from '../fleet/fleet';
import { BUILT_IN_HANDLERS } from '../handlers';
import { natsChildSubmitter } from './child-submitter';
import { ExecutorConfig, loadExecutorConfig } from './executor-config';
import { buildHandlerRegistry } from './handler-registry';
import { SyncResponder } from '../sync/sync-responder';
import { JobRunner } from './job-runner';
import { Slots, WorkConsumer } from './work-consumer';

/** Wires the runner, the work consumer and the cancel notices into the Nest life cycle. */
@Injectable()
export class ExecutorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('executor');
  readonly config: ExecutorConfig = loadExecutorConfig();
  private runner!: JobRunner;
  private consumer!: WorkConsumer;
  private fleet?: Fleet;
  private sync?: SyncResponder;
  private cancels?: Subscription;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const handlers = buildHandlerRegistry(BUILT_IN_HANDLERS, this.config.types);
    const log = {
      log: (message: string, context?: object) => this.logger.log({ msg: message, ...context }),
      warn: (message: string, context?: object) => this.logger.warn({ msg: message, ...context }),
    };
    const children = natsChildSubmitter(this.nc);
    const fleet = await Fleet.open({
      nc: this.nc,
      store: this.store,
      executor: this.config,
      handlers,
      children,
      inFlight: () => this.runner.inFlight,
      logger: log,
    });
    this.runner = new JobRunner(this.store, this.nc, this.config, handlers, children, log, fleet);
    await fleet.start();
    this.fleet = fleet;
    this.cancels = this.nc.subscribe(subjects.cancel('*', '*'), {
      callback: (_error, msg) => {
        const [, , tenant, jobId] = msg.subject.split('.');
        this.runner.cancel(tenant, jobId);
      },
    });
    const slots = new Slots(this.config.capacity);
    this.consumer = new WorkConsumer(this.nc, this.runner, this.config.capacity, log, slots);
    await this.consumer.start([...handlers.keys()]);
    this.sync = new SyncResponder(this.nc, this.runner, slots, log);
    this.sync.start([...handlers.keys()]);
    this.logger.log(
      `executor ${this.config.executorId} serving ${[...handlers.keys()].join(', ')} with capacity ${this.config.capacity}`,
    );
  }

  /** SIGTERM: stop taking work, let running jobs finish briefly, hand the rest back as TIMED_OUT. */
  async beforeApplicationShutdown(): Promise<void> {
    this.sync?.stopTaking();
    this.cancels?.unsubscribe();
    await this.consumer?.stop(Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000));
    await this.runner?.releaseAll();
    await this.fleet?.stop();
    await this.sync?.settled();
  }
}
