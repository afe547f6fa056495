import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type CommittedBatch, type EventStore, type Subscription } from '@jobstream/event-store';
import { CheckpointStore, knownTenants, NATS_CONNECTION } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { loadMaxLocksPerJob } from './config';
import { LockManager } from './lock-manager';

export const LOCK_MANAGER_CHECKPOINT = 'lock-manager';

/**
 * Every job commit reaches the lock manager, though few concern a lock: read while the log is busy at most
 * this often, they cost one wake-up per window instead of one per job. A grant or release comes up to this late.
 */
const BATCH_WINDOW_MS = 10;

/**
 * Feeds the event log to the LockManager from the checkpoint in NATS KV. The checkpoint only saves
 * replay work: everything is decided again from the log, so replaying from the start is also correct.
 */
@Injectable()
export class LockReactorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('lock-reactor');
  readonly manager: LockManager;
  private subscription?: Subscription;
  private checkpoints?: CheckpointStore;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {
    this.manager = new LockManager(store, {
      maxLocksPerJob: loadMaxLocksPerJob(),
      warn: (message, details) => this.logger.warn({ ...details, msg: message }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const checkpoints = await CheckpointStore.open(this.nc, LOCK_MANAGER_CHECKPOINT);
    this.checkpoints = checkpoints;
    const fromPosition = await checkpoints.load();
    this.subscription = await this.store.subscribe({
      fromPosition,
      aggregates: ['job'],
      batchWindowMs: BATCH_WINDOW_MS,
      handler: async (batch: CommittedBatch) => {
        for (const { event } of batch.events) knownTenants.note(event.tenant);
        await this.manager.onCommit(batch.events.map((r) => r.event));
        checkpoints.save(batch.position);
      },
    });
    this.logger.log(`reacting from ${fromPosition ?? 'the start of the log'}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
    await this.checkpoints?.flush();
  }
}
