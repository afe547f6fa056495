import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { EventStore } from '@jobstream/event-store';
import { Lease, positiveIntFromEnv } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { OrchestrationProcessManager } from '../orchestration/process-manager';
import { systemClock, type Clock } from '../timers/clock';
import { TimerEngine } from '../timers/timer-engine';

export interface SchedulerLeaderConfig {
  holderId: string;
  leaseTtlMs: number;
  misfireThresholdMs: number;
}

export function loadSchedulerLeaderConfig(env: NodeJS.ProcessEnv = process.env): SchedulerLeaderConfig {
  return {
    holderId: env.SCHEDULER_ID?.trim() || `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseTtlMs: positiveIntFromEnv(env, 'SCHEDULER_LEASE_TTL_MS', 10_000),
    misfireThresholdMs: positiveIntFromEnv(env, 'SCHEDULER_MISFIRE_THRESHOLD_MS', 60_000),
  };
}

/**
 * Whatever only one scheduler may do at a time (fire timers, run the orchestration process manager)
 * starts when this instance acquires the `scheduler` lease and stops when it loses it.
 */
export class SchedulerLeader {
  private timers?: TimerEngine;
  private manager?: OrchestrationProcessManager;
  private readonly lease: Lease;

  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly config: SchedulerLeaderConfig,
    private readonly clock: Clock = systemClock,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.lease = new Lease(nc, {
      key: 'scheduler',
      holderId: config.holderId,
      ttlMs: config.leaseTtlMs,
      onAcquired: () => this.lead(),
      onLost: () => this.follow(),
      log,
    });
  }

  get isLeader(): boolean {
    return this.lease.isHeld;
  }

  get timerEngine(): TimerEngine | undefined {
    return this.timers;
  }

  start(): Promise<void> {
    return this.lease.start();
  }

  stop(): Promise<void> {
    return this.lease.stop();
  }

  private async lead(): Promise<void> {
    this.timers = new TimerEngine(this.store, this.nc, { clock: this.clock, misfireThresholdMs: this.config.misfireThresholdMs, log: this.log });
    this.manager = new OrchestrationProcessManager(this.store, this.nc, this.timers, this.clock, { log: this.log });
    await this.timers.start();
    await this.manager.start();
    this.log(`scheduler ${this.config.holderId} leads: ${this.timers.size} timers pending`);
  }

  private async follow(): Promise<void> {
    await this.manager?.stop();
    await this.timers?.stop();
    this.manager = undefined;
    this.timers = undefined;
  }
}
