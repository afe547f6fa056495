import { KV, NatsConnection } from 'nats';
import { openBucket } from './buckets';

export const CHECKPOINT_BUCKET = 'jobstream_checkpoints';

/**
 * A subscriber's position in the event log, kept in NATS KV. Writes are coalesced (at most one
 * in flight, the newest wins): replaying a few commits after a crash is safe for idempotent
 * reactors, and it keeps KV's ~7k puts/s out of the hot path.
 */
export class CheckpointStore {
  private pending: string | null = null;
  private writing: Promise<void> | null = null;

  private constructor(
    private readonly kv: KV,
    private readonly key: string,
  ) {}

  static async open(nc: NatsConnection, key: string): Promise<CheckpointStore> {
    const kv = await openBucket(nc, CHECKPOINT_BUCKET);
    return new CheckpointStore(kv, key);
  }

  async load(): Promise<string | undefined> {
    const entry = await this.kv.get(this.key);
    return entry && entry.value.length > 0 ? entry.string() : undefined;
  }

  save(position: string): void {
    this.pending = position;
    if (!this.writing) this.writing = this.flushLoop();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async flushLoop(): Promise<void> {
    let position: string | null = null;
    try {
      while (this.pending !== null) {
        position = this.pending;
        this.pending = null;
        await this.kv.put(this.key, position);
      }
    } catch {
      // NATS is unreachable: keep the position for the next save. Nobody awaits this loop, so a
      // rejection here would be unhandled and end the process.
      this.pending ??= position;
    } finally {
      this.writing = null;
    }
  }
}
