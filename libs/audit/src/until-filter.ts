import type { CommittedBatch } from '@jobstream/event-store';

/**
 * Keeps only events up to `until`. Once a stream has an event after it, the stream's later events are dropped
 * too, whatever their timestamps say: a fold must never see a revision after a skipped one.
 */
export function untilFilter(until: string | undefined): ((batch: CommittedBatch) => CommittedBatch | null) | undefined {
  if (until === undefined) return undefined;
  const limit = Date.parse(until);
  if (Number.isNaN(limit)) throw new Error(`until: "${until}" is not an ISO-8601 date-time`);
  const cut = new Set<string>();
  return (batch) => {
    const events = batch.events.filter(({ event }) => {
      if (cut.has(event.streamId)) return false;
      if (Date.parse(event.occurredAt) <= limit) return true;
      cut.add(event.streamId);
      return false;
    });
    return events.length === 0 ? null : events.length === batch.events.length ? batch : { ...batch, events };
  };
}
