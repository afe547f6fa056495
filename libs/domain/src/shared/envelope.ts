import { currentSchemaVersion } from '../upcasting/versions';

/**
 * Every fact the system records travels in this envelope, whatever aggregate it belongs to.
 * `data` is the only part that differs per event type.
 */
export interface EventMetadata {
  /** Who caused the event: a user, an API key id, or a service (`service:executor`). */
  actor: string;
  /** Follows one request through every service, log line and event. */
  correlationId: string;
  /** The event or command id that directly caused this event; null for an outside request. */
  causationId: string | null;
}

export interface DomainEvent<TType extends string = string, TData = unknown> extends EventMetadata {
  eventId: string;
  type: TType;
  schemaVersion: number;
  /** `<tenant>.<aggregate>.<id>`, see streamIdOf. */
  streamId: string;
  tenant: string;
  /** ISO-8601 UTC, taken from the command's clock, never from inside the domain. */
  occurredAt: string;
  data: TData;
  /** Tamper evidence, set by the event store on append (docs/audit.md): the predecessor's hash on the stream. */
  previousHash?: string;
  hash?: string;
}

/** What the domain needs from the outside world to turn a decision into events. */
export interface EventContext extends EventMetadata {
  tenant: string;
  /** The current time, passed in so the domain stays pure and testable. */
  now: Date;
  /** Supplies event ids; injected so tests can be deterministic. */
  newId: () => string;
}

export type AggregateKind = 'api-key' | 'job' | 'job-definition' | 'lock' | 'orchestration-definition' | 'orchestration-run' | 'timer';

export function streamIdOf(tenant: string, aggregate: AggregateKind, id: string): string {
  return `${tenant}.${aggregate}.${id}`;
}

export function parseStreamId(streamId: string): { tenant: string; aggregate: string; id: string } {
  const [tenant, aggregate, ...rest] = streamId.split('.');
  if (!tenant || !aggregate || rest.length === 0) throw new Error(`not a stream id: ${streamId}`);
  return { tenant, aggregate, id: rest.join('.') };
}

export function makeEvent<TType extends string, TData>(
  ctx: EventContext,
  streamId: string,
  type: TType,
  data: TData,
  schemaVersion = currentSchemaVersion(type),
): DomainEvent<TType, TData> {
  return {
    eventId: ctx.newId(),
    type,
    schemaVersion,
    streamId,
    tenant: ctx.tenant,
    occurredAt: ctx.now.toISOString(),
    correlationId: ctx.correlationId,
    causationId: ctx.causationId,
    actor: ctx.actor,
    data,
  };
}
