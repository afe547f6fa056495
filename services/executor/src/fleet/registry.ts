import { executorCodec, listExecutors, type ExecutorRecord, type ScaledJobRef } from '@jobstream/messaging';
import type { KV } from 'nats';
import { messageOf } from './kv-errors';

export interface RegistryIdentity {
  executorId: string;
  host: string;
  types: string[];
  capacity: number;
}

export interface RegistryHooks {
  /** What changes between refreshes. */
  snapshot(): { inFlight: number; scaled: ScaledJobRef[] };
  /** The fleet as seen at each refresh (this executor included). */
  onFleet(records: ExecutorRecord[]): void;
  warn(message: string): void;
}

/**
 * This executor's entry in the fleet registry: written at start, refreshed every TTL/3, deleted on a
 * graceful stop. A killed executor stops refreshing and drops out of every listing one TTL later.
 */
export class FleetRegistry {
  private readonly startedAt = new Date().toISOString();
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    private readonly identity: RegistryIdentity,
    private readonly ttlMs: number,
    private readonly hooks: RegistryHooks,
  ) {}

  async start(): Promise<void> {
    await this.publish();
    this.timer = setInterval(() => void this.tick(), Math.max(10, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Publishes now, e.g. when the set of scalable jobs changed, so replicas start without waiting a period. */
  refresh(): void {
    this.writing = this.writing.then(() => this.publish());
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.kv.delete(this.identity.executorId).catch((error) => this.hooks.warn(`registry entry not removed: ${messageOf(error)}`));
  }

  private async tick(): Promise<void> {
    this.refresh();
    await this.writing;
    try {
      this.hooks.onFleet(await listExecutors(this.kv));
    } catch (error) {
      this.hooks.warn(`could not list the fleet: ${messageOf(error)}`);
    }
  }

  private async publish(): Promise<void> {
    const record: ExecutorRecord = {
      ...this.identity,
      ...this.hooks.snapshot(),
      startedAt: this.startedAt,
      seenAt: new Date().toISOString(),
      ttlMs: this.ttlMs,
    };
    try {
      await this.kv.put(this.identity.executorId, executorCodec.encode(record));
    } catch (error) {
      this.hooks.warn(`registry entry not refreshed: ${messageOf(error)}`);
    }
  }
}
