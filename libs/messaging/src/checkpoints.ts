import { KV, NatsConnection } from 'nats';
import { openBucket } from './buckets';

export const CHECKPOINT_BUCKET = 'jobstream_checkpoints';

/**
 * A save waits this long before its KV put, so a burst of commits costs one put instead of one each
 * (with one put per commit, the log's subscribers spent more on checkpoints than on the events).
 * A crash replays at most this much more of the log, which idempotent reactors take.
 */
const SAVE_DELAY_MS = 100;

/**
 * A subscriber's position in the event log, kept in NATS KV. Writes are coalesced (at most one
 * in flight, at most one per SAVE_DELAY_MS, the newest wins): replaying a few commits after a crash
 * is safe for idempotent reactors, and it keeps KV puts out of the hot path.
 */
export class CheckpointStore {
  private pending: string | null = null;
  private writing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

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
    this.schedule();
  }

  /** Writes the newest position now (once; a failed write stays pending for the next save). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === null) return;
    this.writing = this.write();
    await this.writing;
  }

  private schedule(): void {
    if (this.writing || this.timer || this.pending === null) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.write();
    }, SAVE_DELAY_MS);
    // A pending checkpoint must not keep a stopped process alive; losing it only replays a little.
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const position = this.pending as string;
    this.pending = null;
    try {
      await this.kv.put(this.key, position);
      this.writing = null;
      this.schedule();
    } catch {
      // NATS is unreachable: keep the position for the next save. Nobody awaits this write (but
      // flush), so a rejection here would be unhandled and end the process.
      this.pending ??= position;
      this.writing = null;
    }
  }
}
