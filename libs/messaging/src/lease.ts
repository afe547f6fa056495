import type { KV, NatsConnection } from 'nats';
import { openBucket } from './buckets';

export const LEASE_BUCKET = 'jobstream_leases';

export interface LeaseOptions {
  /** Key in the bucket, one per role (e.g. `scheduler`). */
  key: string;
  /** Who holds it, written as the value (for operators reading the bucket). */
  holderId: string;
  /** A holder that has not renewed for this long is considered gone. */
  ttlMs: number;
  onAcquired: () => Promise<void> | void;
  /** Called when the lease is lost or released; must stop the leader's work before it resolves. */
  onLost: () => Promise<void> | void;
  bucket?: string;
  log?: (message: string) => void;
}

/**
 * One holder at a time for a role, in NATS KV. The holder renews every ttl/3 with a
 * revision-checked update: a renewal that finds another revision means someone took over, and the
 * holder steps down. A standby watches the key's revision with its own clock: when it has not
 * changed for a whole TTL the holder is presumed dead and the standby takes the key over with a
 * revision-checked update, so two standbys cannot both win. Only local elapsed times are compared,
 * never clocks of different machines. A holder that cannot renew for 2/3 of the TTL steps down by
 * itself, before any standby may take over. Whatever the lease guards must still be safe under a
 * brief overlap (the scheduler's fires are fenced by optimistic concurrency on each timer).
 */
export class Lease {
  private kv?: KV;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private held = false;
  private revision = 0;
  private lastRenewedAt = 0;
  private observed: { revision: number; since: number } | null = null;
  private transition: Promise<void> = Promise.resolve();
  private ticking = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: LeaseOptions,
  ) {
    if (!(options.ttlMs >= 30)) throw new Error(`lease ttlMs must be at least 30, not ${options.ttlMs}`);
  }

  get isHeld(): boolean {
    return this.held;
  }

  async start(): Promise<void> {
    this.kv = await openBucket(this.nc, this.options.bucket ?? LEASE_BUCKET);
    this.stopped = false;
    await this.tick();
    this.schedule();
  }

  /** Steps down (running onLost) and deletes the key so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.ticking) await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.held) {
      await this.stepDown('released');
      try {
        await this.kv?.delete(this.options.key, { previousSeq: this.revision });
      } catch {
        // Someone already took over, or NATS is gone: either way the TTL frees the key.
      }
    }
    await this.transition;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, Math.max(10, Math.floor(this.options.ttlMs / 3)));
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    try {
      if (this.held) await this.renew();
      else await this.tryAcquire();
    } catch (error) {
      this.options.log?.(`lease ${this.options.key}: ${error instanceof Error ? error.message : String(error)}`);
      if (this.held && Date.now() - this.lastRenewedAt > (this.options.ttlMs * 2) / 3) await this.stepDown('could not renew');
    } finally {
      this.ticking = false;
    }
  }

  private async renew(): Promise<void> {
    const kv = this.kv as KV;
    try {
      this.revision = await kv.update(this.options.key, this.value(), this.revision);
      this.lastRenewedAt = Date.now();
    } catch (error) {
      if (isWrongRevision(error)) await this.stepDown('taken over');
      else throw error;
    }
  }

  private async tryAcquire(): Promise<void> {
    if (this.stopped) return;
    const kv = this.kv as KV;
    const entry = await kv.get(this.options.key);
    const now = Date.now();
    const free = entry === null || entry.operation !== 'PUT' || entry.value.length === 0;
    try {
      if (free) {
        this.revision = entry === null ? await kv.create(this.options.key, this.value()) : await kv.update(this.options.key, this.value(), entry.revision);
      } else {
        if (this.observed?.revision !== entry.revision) {
          this.observed = { revision: entry.revision, since: now };
          return;
        }
        if (now - this.observed.since < this.options.ttlMs) return;
        this.revision = await kv.update(this.options.key, this.value(), entry.revision);
      }
    } catch (error) {
      if (isWrongRevision(error)) return;
      throw error;
    }
    this.lastRenewedAt = Date.now();
    this.observed = null;
    this.held = true;
    this.options.log?.(`lease ${this.options.key} acquired by ${this.options.holderId}`);
    this.transition = this.transition.then(() => this.options.onAcquired());
    await this.transition;
  }

  private async stepDown(why: string): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.observed = null;
    this.options.log?.(`lease ${this.options.key} lost by ${this.options.holderId}: ${why}`);
    this.transition = this.transition.then(() => this.options.onLost());
    await this.transition;
  }

  private value(): string {
    return JSON.stringify({ holder: this.options.holderId, renewedAt: new Date().toISOString(), ttlMs: this.options.ttlMs });
  }
}

/** create() on an existing key and update() with a stale revision both fail with "wrong last sequence". */
function isWrongRevision(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /wrong last sequence|key exists/i.test(message) || (error as { api_error?: { err_code?: number } })?.api_error?.err_code === 10071;
}
