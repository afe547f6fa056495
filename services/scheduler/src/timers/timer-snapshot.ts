import type { MisfirePolicy, TimerTarget } from '@jobstream/domain';
import { openBucket } from '@jobstream/messaging';
import { JSONCodec, type KV, type NatsConnection } from 'nats';

export const TIMER_BUCKET = 'jobstream_timers';

/** A pending timer as the scheduler keeps it: enough to decide its fire without reading its stream. */
export interface PendingTimer {
  /** `<tenant>.timer.<timerId>`: also its key in the snapshot bucket. */
  streamId: string;
  tenant: string;
  timerId: string;
  dueAt: number;
  /** Revision of the timer's last event: the fire appends expecting exactly this. */
  revision: number;
  misfirePolicy: MisfirePolicy;
  target: TimerTarget;
}

type Stored = Omit<PendingTimer, 'streamId' | 'tenant' | 'timerId'>;
const codec = JSONCodec<Stored>();

/**
 * The pending set as a projection in NATS KV, one key per pending timer, so a starting scheduler
 * reads only what is pending instead of replaying the whole log. The projection's checkpoint lives
 * beside the dispatcher's; replaying past it re-puts and re-deletes the same keys.
 */
export class TimerSnapshot {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<TimerSnapshot> {
    const kv = await openBucket(nc, TIMER_BUCKET);
    return new TimerSnapshot(kv);
  }

  put(timer: PendingTimer): Promise<unknown> {
    const { dueAt, revision, misfirePolicy, target } = timer;
    return this.kv.put(timer.streamId, codec.encode({ dueAt, revision, misfirePolicy, target }));
  }

  /** Purge rather than delete: no history is kept for timers that are done. */
  remove(streamId: string): Promise<unknown> {
    return this.kv.purge(streamId);
  }

  /** Every pending timer, read once through an ordered consumer (the watcher's initial values). */
  async load(onTimer: (timer: PendingTimer) => void): Promise<number> {
    const status = await this.kv.status();
    if (status.values === 0) return 0;
    let count = 0;
    const watch = await this.kv.watch({ key: '>' });
    for await (const entry of watch) {
      if (entry.operation === 'PUT' && entry.value.length > 0) {
        const [tenant, , ...rest] = entry.key.split('.');
        onTimer({ streamId: entry.key, tenant, timerId: rest.join('.'), ...codec.decode(entry.value) });
        count++;
      }
      if (entry.delta === 0) break;
    }
    watch.stop();
    return count;
  }
}
