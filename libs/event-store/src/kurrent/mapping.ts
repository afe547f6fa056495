import { createHash } from 'node:crypto';
import type { DomainEvent } from '@jobstream/domain';
import type { ExpectedRevision } from '../port';

/** Mirrors the client's Position; declared here so the pure helpers need no gRPC client at load time. */
export interface KurrentPosition {
  commit: bigint;
  prepare: bigint;
}

export type KurrentStreamState = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** Stored in each event's metadata so a subscription can regroup the events of one append. */
export interface CommitMetadata {
  $correlationId: string;
  $causationId: string | null;
  /** The first event's id: names the append. */
  commitId: string;
  commitIndex: number;
  commitSize: number;
}

export function formatPosition(position: KurrentPosition): string {
  return `${position.commit}/${position.prepare}`;
}

export function parsePosition(position: string): KurrentPosition {
  const match = /^(\d+)\/(\d+)$/.exec(position);
  if (!match) throw new Error(`not a KurrentDB event store position: "${position}" (expected "<commit>/<prepare>")`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

/** The log's order of two positions (see sharedSubscriptions): by commit, then prepare. */
export function compareKurrentPositions(a: string, b: string): number {
  const x = parsePosition(a);
  const y = parsePosition(b);
  const order = x.commit === y.commit ? x.prepare - y.prepare : x.commit - y.commit;
  return order === 0n ? 0 : order < 0n ? -1 : 1;
}

export function toStreamState(expected: ExpectedRevision): KurrentStreamState {
  if (typeof expected === 'number') return expected === -1 ? 'no_stream' : BigInt(expected);
  return expected;
}

/** The client reports the actual state as 'no_stream' or the last revision; the port uses -1 for "no stream". */
export function fromCurrentState(state: unknown): number {
  if (typeof state === 'bigint') return Number(state);
  if (typeof state === 'number') return state;
  return -1;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * KurrentDB wants UUID event ids. UUIDs pass through; any other id maps to a name-based UUID (v5 layout over
 * SHA-1), so the same domain id always gives the same KurrentDB id and server-side idempotency still works.
 */
export function toKurrentEventId(eventId: string): string {
  if (UUID.test(eventId)) return eventId.toLowerCase();
  const hash = createHash('sha1').update(`jobstream:${eventId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function commitMetadata(events: DomainEvent[], index: number): CommitMetadata {
  const event = events[index];
  return {
    $correlationId: event.correlationId,
    $causationId: event.causationId,
    commitId: events[0].eventId,
    commitIndex: index,
    commitSize: events.length,
  };
}

/** True when the event closes its append; events written by other tools count as one-event appends. */
export function closesCommit(metadata: unknown): boolean {
  if (metadata === null || typeof metadata !== 'object') return true;
  const { commitIndex, commitSize } = metadata as Partial<CommitMetadata>;
  if (typeof commitIndex !== 'number' || typeof commitSize !== 'number') return true;
  return commitIndex >= commitSize - 1;
}
