/*
 * One reading of the event log per process, however many subscribers it has.
 *
 * Every subscription of an adapter is its own reader: on JetStream its own consumer, so a commit that four
 * subscribers want is sent by nats-server and JSON-decoded four times. This decorator opens ONE subscription
 * of the adapter (the shared reader: every aggregate any subscriber names, from the first subscriber's
 * position) and hands each commit to every subscriber that wants it. Each subscriber keeps the port's
 * semantics: the commits after ITS fromPosition, in order, only of its prefix and aggregates, a rejected
 * commit retried until its handler takes it, stop() of its own.
 *
 * A subscriber is in one of two modes, and only one source ever calls its handler:
 * - live: it drains a queue the shared reader fills;
 * - catching up: it reads on a subscription of its own (the adapter's), while the shared reader keeps
 *   queueing for it. It joins the shared reader as soon as no commit can fall between the two: when its
 *   own reading has handled the oldest queued commit, or the shared reader has offered one it already
 *   handled with nothing queued after it. A commit both sources deliver is handled once: the subscriber
 *   skips any position not after the last one its handler took.
 * A subscriber starts live when the shared reader is not past its fromPosition, catching up otherwise (the
 * schedule reactor, started with its lease long after the rest). A live subscriber whose queue outgrows
 * MAX_QUEUED_COMMITS (a handler failing or far slower than the log) drops the queue and catches up on its
 * own, so one stuck handler neither stalls the others nor holds the log in memory.
 *
 * The shared reader only ever moves forward: a subscriber naming an aggregate it does not read restarts it
 * with the wider set from where it stopped. Positions are compared with the adapter's order.
 *
 * Commits reach several handlers as the same objects, so they are frozen: a handler that writes into an
 * event throws instead of changing what the others see. Commits read on a subscriber's own subscription
 * are frozen as well, so a handler behaves the same in either mode.
 */
import { Logger } from '@nestjs/common';
import type { CommittedBatch, EventStore, SubscribeOptions, Subscription } from './port';
import { withOverrides } from './store-decorator';
import { aggregateOf, subscriptionFilter } from './validation';
import { cancellableDelay, deliverUntilTaken } from './redelivery';

/** Orders two positions of one adapter: negative when `a` is earlier, 0 when equal, positive when later. */
export type PositionOrder = (a: string, b: string) => number;

export interface SharedSubscriptionsOptions {
  /** Commits queued for one live subscriber before it catches up on its own instead. */
  maxQueuedCommits?: number;
}

const MAX_QUEUED_COMMITS = 10_000;
/** Handled commits at the front of a queue before it is copied down. */
const COMPACT_AFTER = 1_024;

const logger = new Logger('shared-subscriptions');

/** The store with one shared reading of the log behind every subscribe(). */
export function sharedSubscriptions<S extends EventStore>(store: S, order: PositionOrder, options: SharedSubscriptionsOptions = {}): S {
  const reader = new SharedReader(store, order, options.maxQueuedCommits ?? MAX_QUEUED_COMMITS);
  const subscribe: EventStore['subscribe'] = (subscribeOptions) => reader.subscribe(subscribeOptions);
  const close: EventStore['close'] = async () => {
    await reader.close();
    await store.close();
  };
  return withOverrides(store, { subscribe, close });
}

/** `undefined` is the start of the log, before every position. */
function isAfter(order: PositionOrder, position: string | undefined, than: string | undefined): boolean {
  if (position === undefined) return false;
  return than === undefined || order(position, than) > 0;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
}

function freezeBatch(batch: CommittedBatch): CommittedBatch {
  deepFreeze(batch);
  return batch;
}

class SharedReader {
  private readonly subscribers = new Set<SharedSubscriber>();
  private subscription?: Subscription;
  /** The aggregates the shared reader asks the adapter for; undefined = every stream. */
  private aggregates?: Set<string>;
  /** The last commit the shared reader offered, or where it started: every later commit of its aggregates will come. */
  private position?: string;
  /** Starting, widening and stopping the shared reader happen one at a time. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly order: PositionOrder,
    private readonly maxQueued: number,
  ) {}

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    try {
      subscriptionFilter(options.streamPrefix ?? '', options.aggregates);
      // Checks the position's format before it is compared with others.
      if (options.fromPosition !== undefined) this.order(options.fromPosition, options.fromPosition);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.serially(async () => {
      const subscriber: SharedSubscriber = new SharedSubscriber(this.store, this.order, this.maxQueued, options, () => this.remove(subscriber));
      if (this.subscribers.size === 0) {
        await this.stopReading();
        this.aggregates = options.aggregates && new Set(options.aggregates);
        this.position = options.fromPosition;
      } else if (this.aggregates && !options.aggregates?.every((a) => this.aggregates!.has(a))) {
        // Stopped first, so the new subscriber is registered at the exact point the wider reading resumes from.
        await this.stopReading();
        this.aggregates = options.aggregates ? new Set([...this.aggregates, ...options.aggregates]) : undefined;
      }
      this.subscribers.add(subscriber);
      subscriber.begin(!isAfter(this.order, this.position, options.fromPosition));
      try {
        this.subscription ??= await this.store.subscribe({
          fromPosition: this.position,
          aggregates: this.aggregates && [...this.aggregates],
          handler: async (batch) => this.offer(batch),
        });
      } catch (error) {
        this.subscribers.delete(subscriber);
        await subscriber.halt();
        throw error;
      }
      return subscriber;
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscribers].map((s) => s.stop()));
    await this.serially(() => this.stopReading());
  }

  private offer(batch: CommittedBatch): void {
    this.position = batch.position;
    const streamId = batch.events[0]?.event.streamId;
    if (streamId === undefined) return;
    const aggregate = aggregateOf(streamId);
    let frozen = false;
    for (const subscriber of this.subscribers) {
      if (!subscriber.wants(streamId, aggregate)) continue;
      if (!frozen) {
        freezeBatch(batch);
        frozen = true;
      }
      subscriber.offer(batch);
    }
  }

  private remove(subscriber: SharedSubscriber): Promise<void> {
    return this.serially(async () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) await this.stopReading();
    });
  }

  private async stopReading(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  private serially<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change);
    this.changes = next.catch(() => undefined);
    return next;
  }
}

class SharedSubscriber implements Subscription {
  private live = false;
  private stopping = false;
  /** The last position the handler took (or the subscriber's fromPosition): nothing at or before it is delivered again. */
  private after: string | undefined;
  /** The last position the shared reader offered this subscriber. */
  private offered: string | undefined;
  private queue: CommittedBatch[] = [];
  private head = 0;
  /** The handler is running (or waiting to be retried) for a commit: no mode change meanwhile. */
  private busy = false;
  private signal?: () => void;
  private readonly pause: { cancel?: () => void } = {};
  private running: Promise<void> = Promise.resolve();
  private readonly prefix: string;
  private readonly aggregates?: ReadonlySet<string>;

  constructor(
    private readonly store: EventStore,
    private readonly order: PositionOrder,
    private readonly maxQueued: number,
    private readonly options: SubscribeOptions,
    private readonly leave: () => Promise<void>,
  ) {
    this.after = options.fromPosition;
    this.prefix = options.streamPrefix ?? '';
    this.aggregates = options.aggregates && new Set(options.aggregates);
  }

  /** The adapter's subscriptionFilter, with the commit's aggregate taken out once for every subscriber. */
  wants(streamId: string, aggregate: string): boolean {
    return (this.aggregates === undefined || this.aggregates.has(aggregate)) && streamId.startsWith(this.prefix);
  }

  begin(live: boolean): void {
    this.live = live;
    this.running = this.run();
  }

  offer(batch: CommittedBatch): void {
    if (this.stopping) return;
    this.offered = batch.position;
    if (!isAfter(this.order, batch.position, this.after)) {
      this.joinIfCaughtUp();
      return;
    }
    this.queue.push(batch);
    if (this.queue.length - this.head > this.maxQueued) {
      // The subscriber's own reading will deliver what is dropped here: it resumes after the last commit handled.
      this.queue = [];
      this.head = 0;
      if (this.live) {
        logger.warn(`a subscriber to ${this.options.aggregates?.join(', ') ?? 'every aggregate'} fell ${this.maxQueued} commits behind the log: reading on its own until it catches up`);
        this.live = false;
      }
    }
    this.wake();
  }

  async stop(): Promise<void> {
    await this.halt();
    await this.leave();
  }

  /** Stops delivering, once the handler in flight has finished; the shared reader still has it registered. */
  async halt(): Promise<void> {
    this.stopping = true;
    this.pause.cancel?.();
    this.wake();
    await this.running;
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopping; ) {
      try {
        if (this.live) await this.drain();
        else await this.catchUp();
        failures = 0;
      } catch (error) {
        // Its own reading could not start (or stop) cleanly: try again, it resumes after the last commit handled.
        logger.warn(`a subscriber's own reading failed: ${(error as Error).message}`);
        await cancellableDelay(Math.min(2000, 50 * 2 ** failures++), this.pause);
      }
    }
  }

  private async drain(): Promise<void> {
    while (this.live && !this.stopping) {
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
        await this.nextSignal();
        continue;
      }
      const batch = this.queue[this.head++];
      // A queue that never quite empties under steady traffic would otherwise grow without end.
      if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (!(await this.deliver(batch))) return;
      this.after = batch.position;
    }
  }

  /** Retried as the adapters retry a rejected commit, until it is taken or the subscriber stops. */
  private async deliver(batch: CommittedBatch): Promise<boolean> {
    this.busy = true;
    try {
      return await deliverUntilTaken(this.options.handler, batch, () => this.stopping, this.pause);
    } finally {
      this.busy = false;
    }
  }

  private async catchUp(): Promise<void> {
    const own = await this.store.subscribe({
      fromPosition: this.after,
      streamPrefix: this.options.streamPrefix,
      aggregates: this.options.aggregates,
      handler: async (batch) => {
        // Joined (the queue has this commit and the rest) or stopping: acknowledged to a reading about to end.
        if (this.live || this.stopping || !isAfter(this.order, batch.position, this.after)) return;
        this.busy = true;
        try {
          await this.options.handler(freezeBatch(batch));
        } finally {
          this.busy = false;
        }
        this.after = batch.position;
        this.joinIfCaughtUp();
      },
    });
    this.joinIfCaughtUp();
    while (!this.live && !this.stopping) await this.nextSignal();
    await own.stop();
  }

  /**
   * No commit can fall between this subscriber's own reading and the queue: its handler took the oldest
   * queued commit, or, with nothing queued, the last one the shared reader offered.
   */
  private joinIfCaughtUp(): void {
    if (this.live || this.busy || this.stopping) return;
    const oldest = this.head < this.queue.length ? this.queue[this.head].position : this.offered;
    if (oldest === undefined || isAfter(this.order, oldest, this.after)) return;
    // What its own reading already handled leaves the queue here; a live queue then only holds later commits.
    while (this.head < this.queue.length && !isAfter(this.order, this.queue[this.head].position, this.after)) this.head++;
    this.live = true;
    this.wake();
  }

  private nextSignal(): Promise<void> {
    return new Promise((resolve) => (this.signal = resolve));
  }

  private wake(): void {
    const signal = this.signal;
    this.signal = undefined;
    signal?.();
  }
}
