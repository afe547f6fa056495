import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EVENT_STORE, type EventStore } from '@jobstream/event-store';
import { FLEET_BUCKETS, HEARTBEAT_BUCKET_TTL_MS, NATS_CONNECTION, openFleetBucket } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { READ_MODEL } from '../config';
import type { ReadModel } from '../read-model/read-model';
import { loadOrphanConfig } from './orphan-config';
import { OrphanScanner } from './orphan-scanner';

/** Runs the orphan scan every ORPHAN_SCAN_PERIOD_MS on every projector instance (flagging is idempotent). */
@Injectable()
export class OrphansService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('orphans');
  private readonly config = loadOrphanConfig();
  private timer?: NodeJS.Timeout;
  private scanning: Promise<void> = Promise.resolve();

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const heartbeats = await openFleetBucket(this.nc, FLEET_BUCKETS.heartbeats, HEARTBEAT_BUCKET_TTL_MS);
    const readModel = this.moduleRef.get<ReadModel>(READ_MODEL, { strict: false });
    const scanner = new OrphanScanner(readModel, this.store, heartbeats, this.config.thresholdMs);
    this.timer = setInterval(() => {
      this.scanning = this.scanning.then(() => this.scan(scanner));
    }, this.config.scanPeriodMs);
    this.logger.log(`orphan scan every ${this.config.scanPeriodMs} ms, threshold ${this.config.thresholdMs} ms`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.scanning;
  }

  private async scan(scanner: OrphanScanner): Promise<void> {
    try {
      const result = await scanner.scan();
      if (result.candidates > 0) this.logger.log({ msg: 'orphan scan', ...result });
    } catch (error) {
      this.logger.warn(`orphan scan failed: ${(error as Error).message}`);
    }
  }
}
