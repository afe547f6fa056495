import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@jobstream/event-store';
import { Lease, NATS_CONNECTION } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { loadDeadlineConfig } from './deadline-config';
import { DeadlineWatch } from './deadline-watch';

/**
 * Runs the deadline watch on the one scheduler holding the `deadline-watcher` lease; standbys take over
 * when it dies. Two watchers overlapping briefly are harmless: each transition is decided on the job's
 * stream with optimistic concurrency, so the second `timeOut` or `fail` is refused by the domain.
 */
@Injectable()
export class DeadlineWatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('deadlines');
  private readonly config = loadDeadlineConfig();
  private lease?: Lease;
  private watch?: DeadlineWatch;
  private starting?: Promise<void>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.lease = new Lease(this.nc, {
      key: 'deadline-watcher',
      holderId: process.env.SCHEDULER_ID?.trim() || `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      ttlMs: this.config.leaseTtlMs,
      onAcquired: () => this.begin(),
      onLost: () => this.end(),
      log: (message) => this.logger.log(message),
    });
    await this.lease.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.lease?.stop();
  }

  /** Not awaited by the lease: seeding may wait for the projector, and renewals must go on meanwhile. */
  private begin(): void {
    const watch = new DeadlineWatch(this.store, this.nc, this.config, {
      log: (message) => this.logger.log(message),
      warn: (message) => this.logger.warn(message),
    });
    this.watch = watch;
    this.starting = watch.start().catch((error) => this.logger.error(`deadline watch did not start: ${(error as Error).message}`));
  }

  private async end(): Promise<void> {
    const watch = this.watch;
    this.watch = undefined;
    await this.starting;
    await watch?.stop();
  }
}
