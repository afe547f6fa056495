import type { ThrottlerStorage } from '@nestjs/throttler';

interface KeyRecord {
  /** Expiry times of the hits in the window, oldest first (every hit gets the same ttl); live from `head` on. */
  hits: number[];
  head: number;
  expiresAt: number;
  blockedUntil: number | null;
}

const SWEEP_EVERY_MS = 60_000;
/** Dropped hits are cut off the array once this many pile up at its front. */
const COMPACT_AFTER = 1024;

/**
 * The throttler's in-memory storage with the same answers (a sliding log of hits per key and ttl; beyond
 * the limit the key is blocked for blockDuration, then starts afresh), but hits expire from the front of
 * a queue: @nestjs/throttler's own storage copies the whole log on every request, so each request cost
 * grew with the limit (6,000 a minute by default, 2^53 when limiting is off).
 */
export class HitLogStorage implements ThrottlerStorage {
  private readonly records = new Map<string, KeyRecord>();
  private sweep?: NodeJS.Timeout;

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<{ totalHits: number; timeToExpire: number; isBlocked: boolean; timeToBlockExpire: number }> {
    const now = Date.now();
    this.sweep ??= setInterval(() => this.evictIdle(Date.now()), SWEEP_EVERY_MS).unref();
    let record = this.records.get(key);
    if (!record) {
      record = { hits: [], head: 0, expiresAt: now + ttl, blockedUntil: null };
      this.records.set(key, record);
    }
    expireHits(record, now);
    if (record.expiresAt <= now) record.expiresAt = now + ttl;
    const timeToExpire = Math.ceil((record.expiresAt - now) / 1000);
    if (record.blockedUntil === null) {
      record.hits.push(now + ttl);
      if (record.hits.length - record.head > limit) record.blockedUntil = now + blockDuration;
    } else if (record.blockedUntil <= now) {
      record.blockedUntil = null;
      record.hits = [now + ttl];
      record.head = 0;
    }
    return {
      totalHits: record.hits.length - record.head,
      timeToExpire,
      isBlocked: record.blockedUntil !== null,
      timeToBlockExpire: record.blockedUntil === null ? 0 : Math.ceil((record.blockedUntil - now) / 1000),
    };
  }

  private evictIdle(now: number): void {
    for (const [key, record] of this.records) {
      expireHits(record, now);
      const blocked = record.blockedUntil !== null && record.blockedUntil > now;
      if (!blocked && record.expiresAt <= now && record.head === record.hits.length) this.records.delete(key);
    }
  }
}

function expireHits(record: KeyRecord, now: number): void {
  const { hits } = record;
  while (record.head < hits.length && hits[record.head] <= now) record.head++;
  if (record.head >= COMPACT_AFTER && record.head * 2 >= hits.length) {
    record.hits = hits.slice(record.head);
    record.head = 0;
  }
}
