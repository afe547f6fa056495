import { JSONCodec, type KV } from 'nats';
import { isWrongRevision, messageOf } from './kv-errors';

interface Held {
  /** Null until the lease is written (a failed first write is retried by the next renewal). */
  revision: number | null;
  renewedAt: number;
  onLost: (why: string) => void;
}

const codec = JSONCodec<{ holder: string; renewedAt: string; ttlMs: number }>();

export const jobLeaseKey = (tenant: string, jobId: string) => `job.${tenant}.${jobId}`;

/**
 * Leases of the singleton jobs running here (`job.<tenant>.<jobId>` in the leases bucket), renewed every
 * TTL/3 with revision-checked updates. The lease is taken only after the domain made this executor the
 * job's owner, so taking it over is always right; the previous holder, if it still runs (paused, cut off),
 * finds a foreign revision at its next renewal and stops its handler, even one that never appends. A holder
 * that cannot renew for 2/3 of the TTL stops by itself too.
 */
export class JobLeases {
  private readonly held = new Map<string, Held>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly kv: KV,
    private readonly executorId: string,
    readonly ttlMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      for (const [key, lease] of this.held) void this.renew(key, lease);
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async acquire(tenant: string, jobId: string, onLost: (why: string) => void): Promise<void> {
    const key = jobLeaseKey(tenant, jobId);
    const lease: Held = { revision: null, renewedAt: Date.now(), onLost };
    this.held.set(key, lease);
    await this.renew(key, lease);
  }

  release(tenant: string, jobId: string): void {
    const key = jobLeaseKey(tenant, jobId);
    const lease = this.held.get(key);
    this.held.delete(key);
    if (lease?.revision != null) {
      // Revision-checked: never delete a lease a newer owner already took.
      this.kv.delete(key, { previousSeq: lease.revision }).catch(() => undefined);
    }
  }

  private async renew(key: string, lease: Held): Promise<void> {
    const value = codec.encode({ holder: this.executorId, renewedAt: new Date().toISOString(), ttlMs: this.ttlMs });
    try {
      if (lease.revision === null) {
        const current = await this.kv.get(key);
        lease.revision = current === null ? await this.kv.create(key, value) : await this.kv.update(key, value, current.revision);
      } else {
        lease.revision = await this.kv.update(key, value, lease.revision);
      }
      lease.renewedAt = Date.now();
    } catch (error) {
      if (!this.held.has(key)) return;
      if (lease.revision !== null && isWrongRevision(error)) return this.lose(key, lease, 'another executor took the lease over');
      this.warn(`lease ${key} not renewed: ${messageOf(error)}`);
      if (Date.now() - lease.renewedAt > (this.ttlMs * 2) / 3) this.lose(key, lease, 'could not renew the lease');
    }
  }

  private lose(key: string, lease: Held, why: string): void {
    this.held.delete(key);
    lease.onLost(why);
  }
}
