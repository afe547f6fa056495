import type { DomainEvent } from '@jobstream/domain';

/**
 * What the caller expects the stream's last revision to be.
 * A number is the revision (0-based index) of the stream's last event.
 */
export type ExpectedRevision = number | 'no_stream' | 'any' | 'stream_exists';

/** An event as stored: the domain event plus where the store put it. */
export interface RecordedEvent<E extends DomainEvent = DomainEvent> {
  event: E;
  /** 0-based, contiguous within the stream. */
  revision: number;
  /** Opaque, totally ordered across all streams; resume a subscription after it. */
  position: string;
}

export interface AppendResult {
  /** Revision of the last event written: pass it as the next expectedRevision. */
  nextExpectedRevision: number;
  position: string;
}

export interface ReadOptions {
  fromRevision?: number;
}

/** Events of one append, delivered together so a projection applies them atomically. */
export interface CommittedBatch {
  events: RecordedEvent[];
  /** Checkpoint to store once the batch is applied. */
  position: string;
}

export interface SubscribeOptions {
  /** Deliver what comes after this checkpoint; undefined = from the very start. */
  fromPosition?: string;
  /** Only streams whose id starts with this, e.g. `acme.job.`. */
  streamPrefix?: string;
  /** Only streams of these aggregates (the id's second token, e.g. `timer`): other commits are skipped undecoded. */
  aggregates?: readonly string[];
  /**
   * For a follower that need not react at once (a read model, the lock tables): commits may reach it up to
   * this many ms late, gathered into fewer wake-ups while the log is busy; a commit after a quiet spell still
   * comes at once. Adapters without a cheaper batched read deliver every commit at once.
   */
  batchWindowMs?: number;
  /** Called for every commit in global order. Resolve to acknowledge; reject to have it redelivered. */
  handler: (batch: CommittedBatch) => Promise<void>;
}

export interface Subscription {
  /** Resolves when the subscription has stopped and its last handler finished. */
  stop(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: DomainEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  read(streamId: string, options?: ReadOptions): Promise<RecordedEvent[]>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Tells the store a stream's events from its first one, as another process just wrote them and passed them
   * along (a sync job's submit, handed to the executor): the next append there need not look the stream's tip
   * up first. Events that are not the stream's start, or not its latest, cost only that lookup or a conflict
   * retry, never a wrong append. Adapters with nothing to look up leave it out.
   */
  rememberStream?(streamId: string, events: readonly RecordedEvent[]): void;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
