import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@jobstream/event-store';
import { Lease, NATS_CONNECTION } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { DefinitionRunsService } from '../definitions/definition-runs.service';
import { loadSchedulerLeaderConfig } from '../lease/scheduler-leader';
import { DefinitionScheduleReactor } from './definition-schedule-reactor';

/** Lease key: one scheduler instance at a time plans and fires job definition schedules. */
export const DEFINITION_SCHEDULES_LEASE = 'definition-schedules';

@Injectable()
export class DefinitionSchedulesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('definition-schedules');
  private lease?: Lease;
  private reactor?: DefinitionScheduleReactor;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly runs: DefinitionRunsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const config = loadSchedulerLeaderConfig();
    const log = (message: string) => this.logger.log(message);
    this.lease = new Lease(this.nc, {
      key: DEFINITION_SCHEDULES_LEASE,
      holderId: config.holderId,
      ttlMs: config.leaseTtlMs,
      log,
      onAcquired: async () => {
        this.reactor = new DefinitionScheduleReactor(this.store, this.nc, this.runs, { log });
        await this.reactor.start();
      },
      onLost: async () => {
        await this.reactor?.stop();
        this.reactor = undefined;
      },
    });
    await this.lease.start();
  }

  /** Releases the lease so a standby takes over at once instead of after the TTL. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.lease?.stop();
  }
}
