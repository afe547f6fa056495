import { type DomainEvent } from '@jobstream/domain';
import { ConcurrencyError } from './errors';
import type { EventStore, ExpectedRevision } from './port';

export interface Aggregate<S> {
  initial: S;
  evolve: (state: S, event: DomainEvent) => S;
}

export interface Loaded<S> {
  state: S;
  /** Revision of the last event folded into state; -1 when the stream does not exist. */
  revision: number;
}

export interface Handled<S> extends Loaded<S> {
  events: DomainEvent[];
}

export async function load<S>(store: EventStore, streamId: string, aggregate: Aggregate<S>): Promise<Loaded<S>> {
  const recorded = await store.read(streamId);
  let state = aggregate.initial;
  for (const { event } of recorded) state = aggregate.evolve(state, event);
  return { state, revision: recorded.length - 1 };
}

const expectedFor = (revision: number): ExpectedRevision => (revision < 0 ? 'no_stream' : revision);

/**
 * Load, decide, append with optimistic concurrency; on a conflict reload and decide again.
 * `known` skips the first read when the caller already holds the latest state (the executor
 * owning a running job does), which keeps the hot path to one append.
 */
export async function handleCommand<S>(
  store: EventStore,
  streamId: string,
  aggregate: Aggregate<S>,
  decide: (state: S) => DomainEvent[],
  options: { known?: Loaded<S>; maxAttempts?: number } = {},
): Promise<Handled<S>> {
  const maxAttempts = options.maxAttempts ?? 5;
  let current = options.known ?? (await load(store, streamId, aggregate));
  for (let attempt = 1; ; attempt++) {
    const events = decide(current.state);
    if (events.length === 0) return { ...current, events };
    try {
      const result = await store.append(streamId, events, expectedFor(current.revision));
      const state = events.reduce(aggregate.evolve, current.state);
      return { state, revision: result.nextExpectedRevision, events };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      current = await load(store, streamId, aggregate);
    }
  }
}
