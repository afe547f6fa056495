import type { DomainEvent } from '@jobstream/domain';
import { EventTooLargeError, InvalidEventError } from './errors';
import type { ExpectedRevision, RecordedEvent } from './port';

/** 1 MiB: the largest serialized event either adapter accepts unless configured otherwise. */
export const DEFAULT_MAX_EVENT_BYTES = 1_048_576;

// Stream ids become NATS subject tokens, so whitespace and wildcards would change what a subject matches.
const TOKENS = /^[^\s*>.]+(\.[^\s*>.]+)*$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Dot-separated, non-empty tokens without whitespace or wildcards; `what` names the value in the error. */
export function validateTokens(value: string, what: string): void {
  if (typeof value === 'string' && TOKENS.test(value)) return;
  if (typeof value !== 'string' || value.length === 0) throw new InvalidEventError(what, 'must be a non-empty string');
  const reason = value.split('.').some((t) => t.length === 0) ? 'has an empty token' : 'contains whitespace or a wildcard';
  throw new InvalidEventError(what, `"${value}" ${reason}`);
}

export function validateStreamId(streamId: string): void {
  validateTokens(streamId, 'streamId');
}

function isFilled(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function missing(field: string, event: DomainEvent, index: number): InvalidEventError {
  const which = isFilled(event.eventId) ? `event ${event.eventId}` : `event #${index}`;
  return new InvalidEventError(field, `must be a non-empty string (${which})`);
}

/**
 * Checks an append before anything is sent and returns each event serialized once, so adapters
 * reuse the JSON instead of stringifying twice. Throws on the first problem: a rejected append writes nothing.
 * It runs on every append, so it avoids allocating beyond the JSON itself.
 */
export function prepareAppend(streamId: string, events: DomainEvent[], maxEventBytes: number): string[] {
  validateStreamId(streamId);
  if (!Array.isArray(events) || events.length === 0) throw new InvalidEventError('events', 'must be a non-empty array');
  const serialized: string[] = new Array(events.length);
  const ids = events.length > 1 ? new Set<string>() : undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event === null || typeof event !== 'object') throw new InvalidEventError('event', `#${i} is not an object`);
    if (!isFilled(event.eventId)) throw missing('eventId', event, i);
    if (ids !== undefined) {
      if (ids.has(event.eventId)) throw new InvalidEventError('eventId', `${event.eventId} appears twice in one append`);
      ids.add(event.eventId);
    }
    if (!isFilled(event.type)) throw missing('type', event, i);
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) {
      throw new InvalidEventError('schemaVersion', `must be an integer >= 1 (event ${event.eventId})`);
    }
    if (event.streamId !== streamId) {
      throw new InvalidEventError('streamId', `event ${event.eventId} belongs to ${String(event.streamId)}, not ${streamId}`);
    }
    if (!isFilled(event.tenant)) throw missing('tenant', event, i);
    if (typeof event.occurredAt !== 'string' || !ISO_8601.test(event.occurredAt) || Number.isNaN(Date.parse(event.occurredAt))) {
      throw new InvalidEventError('occurredAt', `must be an ISO-8601 timestamp (event ${event.eventId})`);
    }
    if (!isFilled(event.correlationId)) throw missing('correlationId', event, i);
    if (!isFilled(event.actor)) throw missing('actor', event, i);
    if (event.causationId !== undefined && event.causationId !== null && typeof event.causationId !== 'string') {
      throw new InvalidEventError('causationId', `must be a string or null (event ${event.eventId})`);
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(event);
    } catch (error) {
      throw new InvalidEventError('data', `of event ${event.eventId} is not serializable: ${(error as Error).message}`);
    }
    // A JSON string is at most 3 bytes per UTF-16 unit, so most events skip the exact byte count.
    if (json.length * 3 > maxEventBytes) {
      const bytes = Buffer.byteLength(json);
      if (bytes > maxEventBytes) throw new EventTooLargeError(streamId, event.eventId, bytes, maxEventBytes);
    }
    serialized[i] = json;
  }
  return serialized;
}

/**
 * The idempotency rule both adapters share: an append whose events are already stored right after the
 * expected revision, with the same ids in the same order, is a retry and succeeds with the original result.
 */
export function findRetriedAppend(events: DomainEvent[], storedAfterExpected: RecordedEvent[]): RecordedEvent | undefined {
  if (storedAfterExpected.length < events.length) return undefined;
  for (let i = 0; i < events.length; i++) {
    if (storedAfterExpected[i].event.eventId !== events[i].eventId) return undefined;
  }
  return storedAfterExpected[events.length - 1];
}

export function validateExpected(expected: ExpectedRevision): void {
  const valid =
    typeof expected === 'number'
      ? Number.isInteger(expected) && expected >= -1
      : expected === 'no_stream' || expected === 'any' || expected === 'stream_exists';
  if (!valid) {
    throw new InvalidEventError('expectedRevision', `${String(expected)} is not a revision, 'no_stream', 'any' or 'stream_exists'`);
  }
}

/** A subscription's stream prefix: whole or partial stream id tokens, never wildcards or whitespace. */
export function validateStreamPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || /[\s*>]/.test(prefix) || prefix.startsWith('.') || prefix.includes('..')) {
    throw new InvalidEventError('streamPrefix', `"${String(prefix)}" is not a stream id prefix`);
  }
}

/** Which stream ids a subscription delivers: its prefix and, when it names aggregates, one of them. */
export function subscriptionFilter(streamPrefix: string, aggregates: readonly string[] | undefined): (streamId: string) => boolean {
  validateStreamPrefix(streamPrefix);
  if (aggregates === undefined) return (streamId) => streamId.startsWith(streamPrefix);
  if (aggregates.length === 0 || !aggregates.every((a) => /^[a-z0-9-]+$/.test(a))) {
    throw new InvalidEventError('aggregates', `${JSON.stringify(aggregates)} is not a list of aggregate names`);
  }
  const wanted = new Set(aggregates);
  return (streamId) => streamId.startsWith(streamPrefix) && wanted.has(aggregateOf(streamId));
}

/**
 * The aggregate of `<tenant>.<aggregate>.<id>` ('' when there is no such token), without splitting the whole
 * id: every commit a subscription reads, and every append timed, asks for it.
 */
export function aggregateOf(streamId: string): string {
  const start = streamId.indexOf('.') + 1;
  if (start === 0) return '';
  const end = streamId.indexOf('.', start);
  return end === -1 ? streamId.slice(start) : streamId.slice(start, end);
}
