import { BeforeApplicationShutdown, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@jobstream/event-store';
import { NATS_CONNECTION } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { loadSchedulerLeaderConfig, SchedulerLeader } from './scheduler-leader';

@Injectable()
class LeadershipService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('leadership');
  private leader?: SchedulerLeader;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.leader = new SchedulerLeader(this.store, this.nc, loadSchedulerLeaderConfig(), undefined, (message) => this.logger.log(message));
    await this.leader.start();
  }

  /** Releases the lease so a standby takes over at once instead of after the TTL. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.leader?.stop();
  }
}

/** Timers and orchestration run on the one scheduler instance holding the lease. */
@Module({ providers: [LeadershipService] })
export class LeadershipModule {}
