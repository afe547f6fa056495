import { randomUUID } from 'node:crypto';
import {
  decideTimer,
  evolveTimer,
  initialTimerState,
  isDomainError,
  isTimerEvent,
  parseStreamId,
  timerStreamId,
  type EventContext,
  type ScheduleTimer,
  type TimerEvent,
  type TimerState,
} from '@jobstream/domain';
import { ConcurrencyError, type CommittedBatch, type EventStore, type Subscription } from '@jobstream/event-store';
import { CheckpointStore } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { systemClock, type Clock } from './clock';
import { MinHeap } from './min-heap';
import { TimerSnapshot, type PendingTimer } from './timer-snapshot';

/** setTimeout's largest delay (~24.8 days); a later timer re-arms on waking instead of overflowing to 1 ms. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** Snapshot writes in flight before the projection waits for them and moves its checkpoint. */
const SNAPSHOT_BATCH = 256;
const RETRY_FIRE_MS = 1_000;

export interface TimerEngineOptions {
  clock?: Clock;
  /** A fire more than this late is a misfire (the timer's policy then decides: fire once or skip). */
  misfireThresholdMs?: number;
  /** Fires in flight at once. */
  concurrency?: number;
  /** Checkpoint key of the snapshot projection in `jobstream_checkpoints`. */
  checkpointKey?: string;
  /** Called after each successful `timer.fired` append (lateness measurement). */
  onFired?: (timer: PendingTimer, firedAt: number) => void;
  log?: (message: string) => void;
}

/**
 * The scheduler's durable timers. Every pending fire is a `timer.scheduled` event; the engine keeps
 * the pending ones in a min-heap fed by a KV snapshot at start and by the log afterwards, arms one
 * OS timer for the earliest, and fires by appending `timer.fired` to the timer's stream with the
 * revision it knows: a fire that lost a race (another scheduler, a cancel) conflicts and is dropped,
 * so each timer fires exactly once. Acting on a fire is the job of whoever reads `timer.fired` from
 * the log, so a crash right after the append loses nothing.
 */
export class TimerEngine {
  private readonly clock: Clock;
  private readonly misfireThresholdMs: number;
  private readonly concurrency: number;
  private readonly pending = new Map<string, PendingTimer>();
  private readonly heap = new MinHeap<PendingTimer>((timer) => timer.dueAt);
  private snapshot?: TimerSnapshot;
  private checkpoints?: CheckpointStore;
  private subscription?: Subscription;
  private armed: { handle: unknown; at: number } | null = null;
  private firing = 0;
  private running = false;
  private writes: Promise<unknown>[] = [];
  private flushHandle?: NodeJS.Timeout;
  private lastPosition?: string;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly options: TimerEngineOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.misfireThresholdMs = options.misfireThresholdMs ?? 60_000;
    this.concurrency = options.concurrency ?? 256;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Pending timers, e.g. to cancel the ones of a deleted definition. */
  pendingTimers(): IterableIterator<PendingTimer> {
    return this.pending.values();
  }

  /** Loads the snapshot, then follows the log from the snapshot's checkpoint. Resolves once armed. */
  async start(): Promise<{ loaded: number }> {
    this.running = true;
    this.snapshot = await TimerSnapshot.open(this.nc);
    this.checkpoints = await CheckpointStore.open(this.nc, this.options.checkpointKey ?? 'timers');
    // The checkpoint first: the snapshot is then at least as new, and replaying past it is idempotent.
    const fromPosition = await this.checkpoints.load();
    const loaded = await this.snapshot.load((timer) => this.track(timer));
    this.subscription = await this.store.subscribe({ fromPosition, aggregates: ['timer'], handler: (batch) => this.project(batch) });
    this.rearm();
    this.options.log?.(`timers: ${loaded} pending from the snapshot, following the log from ${fromPosition ?? 'its start'}`);
    return { loaded };
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.armed) this.clock.clearTimer(this.armed.handle);
    this.armed = null;
    await this.subscription?.stop();
    clearTimeout(this.flushHandle);
    await this.flushSnapshot();
    await this.checkpoints?.flush();
    await Promise.all([...this.inFlight]);
    this.pending.clear();
  }

  /** Idempotent: a timer id already scheduled keeps its first schedule (false). */
  async schedule(tenant: string, command: Omit<ScheduleTimer, 'type'>, meta: Partial<EventContext> = {}): Promise<boolean> {
    const events = decideTimer({ type: 'schedule', ...command }, initialTimerState, this.context(tenant, meta));
    try {
      await this.store.append(events[0].streamId, events, 'no_stream');
    } catch (error) {
      if (error instanceof ConcurrencyError) return false;
      throw error;
    }
    this.apply(events[0], 0);
    return true;
  }

  /** False when the timer is unknown or already fired, skipped or cancelled. */
  async cancel(tenant: string, timerId: string, meta: Partial<EventContext> = {}): Promise<boolean> {
    const streamId = timerStreamId(tenant, timerId);
    const recorded = await this.store.read(streamId);
    const state = recorded.reduce((s, r) => evolveTimer(s, r.event as TimerEvent), initialTimerState);
    try {
      const events = decideTimer({ type: 'cancel' }, state, this.context(tenant, meta));
      await this.store.append(streamId, events, recorded.length - 1);
      this.apply(events[0], recorded.length);
      return true;
    } catch (error) {
      if (isDomainError(error) || error instanceof ConcurrencyError) return false;
      throw error;
    }
  }

  private context(tenant: string, meta: Partial<EventContext>): EventContext {
    return {
      tenant,
      now: new Date(this.clock.now()),
      newId: randomUUID,
      actor: meta.actor ?? 'service:scheduler',
      correlationId: meta.correlationId ?? randomUUID(),
      causationId: meta.causationId ?? null,
    };
  }

  private async project(batch: CommittedBatch): Promise<void> {
    for (const { event, revision } of batch.events) {
      if (!event.streamId.includes('.timer.') || !isTimerEvent(event)) continue;
      const write = this.apply(event, revision);
      if (write) this.writes.push(write);
    }
    this.lastPosition = batch.position;
    if (this.writes.length >= SNAPSHOT_BATCH) await this.flushSnapshot();
    else if (!this.flushHandle) {
      this.flushHandle = setTimeout(() => {
        this.flushHandle = undefined;
        this.flushSnapshot().catch((error: unknown) => this.options.log?.(`timers: snapshot write failed: ${String(error)}`));
      }, 50);
    }
  }

  /** Waits for the snapshot writes so far, then moves the checkpoint past them. */
  private async flushSnapshot(): Promise<void> {
    const writes = this.writes;
    this.writes = [];
    const position = this.lastPosition;
    await Promise.all(writes);
    if (position !== undefined) this.checkpoints?.save(position);
  }

  /** Updates the heap and returns the snapshot write for it. */
  private apply(event: TimerEvent, revision: number): Promise<unknown> | undefined {
    const streamId = event.streamId;
    const current = this.pending.get(streamId);
    if (current && current.revision > revision) return undefined;
    if (event.type === 'timer.scheduled') {
      const { tenant } = parseStreamId(streamId);
      const timer: PendingTimer = {
        streamId,
        tenant,
        timerId: event.data.timerId,
        dueAt: Date.parse(event.data.dueAt),
        revision,
        misfirePolicy: event.data.misfirePolicy,
        target: event.data.target,
      };
      this.track(timer);
      this.rearm();
      return this.snapshot?.put(timer);
    }
    this.pending.delete(streamId);
    return this.snapshot?.remove(streamId);
  }

  private track(timer: PendingTimer): void {
    this.pending.set(timer.streamId, timer);
    this.heap.push(timer);
  }

  /** One OS timer for the earliest pending fire, capped so long horizons re-arm instead of overflowing. */
  private rearm(): void {
    if (!this.running) return;
    const next = this.peekLive();
    if (!next) return;
    const at = next.dueAt;
    if (this.armed && this.armed.at <= at) return;
    if (this.armed) this.clock.clearTimer(this.armed.handle);
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - this.clock.now()));
    this.armed = {
      at,
      handle: this.clock.setTimer(() => {
        this.armed = null;
        this.fireDue();
      }, delay),
    };
  }

  /** The heap keeps stale copies (lazy deletion): skip those that were fired, cancelled or rescheduled. */
  private peekLive(): PendingTimer | undefined {
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (this.pending.get(top.streamId) === top) return top;
      this.heap.pop();
    }
    return undefined;
  }

  private fireDue(): void {
    if (!this.running) return;
    const now = this.clock.now();
    for (let top = this.peekLive(); top && top.dueAt <= now && this.firing < this.concurrency; top = this.peekLive()) {
      this.heap.pop();
      this.pending.delete(top.streamId);
      this.firing++;
      const done = this.fire(top).finally(() => {
        this.firing--;
        this.inFlight.delete(done);
        this.fireDue();
      });
      this.inFlight.add(done);
    }
    // With every slot busy the next finishing fire calls back here; arming now would only spin.
    if (this.firing < this.concurrency) this.rearm();
  }

  private async fire(timer: PendingTimer): Promise<void> {
    const state: TimerState = {
      exists: true,
      timerId: timer.timerId,
      status: 'PENDING',
      dueAt: new Date(timer.dueAt).toISOString(),
      target: timer.target,
      misfirePolicy: timer.misfirePolicy,
    };
    const ctx = this.context(timer.tenant, {});
    try {
      const events = decideTimer({ type: 'fire', misfireThresholdMs: this.misfireThresholdMs }, state, ctx);
      await this.store.append(timer.streamId, events, timer.revision);
      if (events[0].type === 'timer.fired') this.options.onFired?.(timer, ctx.now.getTime());
    } catch (error) {
      // Fired or cancelled by someone else meanwhile: this fire lost the race and must not happen.
      if (error instanceof ConcurrencyError) return;
      this.options.log?.(`timers: fire of ${timer.streamId} failed, retrying: ${String(error)}`);
      this.clock.setTimer(() => {
        if (!this.running || this.pending.has(timer.streamId)) return;
        this.track(timer);
        this.rearm();
      }, RETRY_FIRE_MS);
    }
  }
}
