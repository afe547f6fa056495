import { heartbeatKey, type Heartbeat } from '@jobstream/messaging';
import { JSONCodec, type KV } from 'nats';
import { messageOf } from './kv-errors';

const codec = JSONCodec<Heartbeat>();

interface Beating {
  leaseMs?: number;
  written: boolean;
}

/**
 * Heartbeats of the jobs running here, in KV rather than the event log: they say "still alive", which is
 * not a transition. A timer marks every running job due each interval and one flush writes all due beats
 * at once (pipelined puts), so the cost is one round of puts per interval whatever the number of jobs.
 * A job that ends before its first interval never touches KV: its `job.started` event is sign of life enough.
 */
export class HeartbeatWriter {
  private readonly jobs = new Map<string, Beating>();
  private readonly due = new Set<string>();
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly kv: KV,
    private readonly executorId: string,
    private readonly intervalMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      for (const key of this.jobs.keys()) this.due.add(key);
      this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  track(tenant: string, jobId: string, leaseMs?: number): void {
    this.jobs.set(heartbeatKey(tenant, jobId), { leaseMs, written: false });
  }

  /** A progress report: beat with the next flush instead of waiting for the interval. */
  beat(tenant: string, jobId: string): void {
    const key = heartbeatKey(tenant, jobId);
    if (!this.jobs.has(key)) return;
    this.due.add(key);
    if (!this.flushing) setImmediate(() => this.flush());
  }

  untrack(tenant: string, jobId: string): void {
    const key = heartbeatKey(tenant, jobId);
    const beating = this.jobs.get(key);
    this.jobs.delete(key);
    this.due.delete(key);
    if (beating?.written) this.remove(key);
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.due.size > 0) {
        const keys = [...this.due];
        this.due.clear();
        await Promise.all(keys.map((key) => this.put(key)));
      }
    })().finally(() => (this.flushing = null));
  }

  private async put(key: string): Promise<void> {
    const beating = this.jobs.get(key);
    if (!beating) return;
    const beat: Heartbeat = { executorId: this.executorId, at: new Date().toISOString(), ...(beating.leaseMs && { leaseMs: beating.leaseMs }) };
    try {
      await this.kv.put(key, codec.encode(beat));
      beating.written = true;
      // The job ended while the put was in flight: its untrack found nothing to delete yet.
      if (!this.jobs.has(key)) this.remove(key);
    } catch (error) {
      this.warn(`heartbeat ${key} not written: ${messageOf(error)}`);
    }
  }

  private remove(key: string): void {
    this.kv.delete(key).catch((error) => this.warn(`heartbeat ${key} not removed: ${messageOf(error)}`));
  }
}
