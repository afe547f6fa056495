import { Logger } from '@nestjs/common';
import { eventAppendSeconds } from '@jobstream/messaging';
import { ConcurrencyError } from './errors';
import type { EventStore } from './port';
import { withOverrides } from './store-decorator';
import { aggregateOf } from './validation';


/**
 * The trace of one append at debug level: every service appends through here, so with LOG_LEVEL=debug
 * `grep <jobId or correlationId> .data/logs/*.log` follows a job through every service that wrote for it.
 */
const trace = new Logger('event-store');

/** The store with every append observed by `jobstream_event_append_seconds`. */
export function timedEventStore<S extends EventStore>(store: S): S {
  const append: EventStore['append'] = async (streamId, events, expectedRevision) => {
    // The aggregate keeps the label set small (tenants and ids would not).
    const stop = eventAppendSeconds.startTimer({ aggregate: aggregateOf(streamId) || 'unknown' });
    try {
      const result = await store.append(streamId, events, expectedRevision);
      stop({ outcome: 'ok' });
      const first = events[0];
      if (first) {
        trace.debug({ streamId, types: events.map((e) => e.type), correlationId: first.correlationId, causationId: first.causationId, actor: first.actor, revision: result.nextExpectedRevision }, 'appended');
      }
      return result;
    } catch (error) {
      stop({ outcome: error instanceof ConcurrencyError ? 'conflict' : 'error' });
      throw error;
    }
  };
  return withOverrides(store, { append });
}
