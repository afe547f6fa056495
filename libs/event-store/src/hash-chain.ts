/*
 * Tamper evidence (docs/audit.md). Every stored event carries the hash of its predecessor on its stream and its
 * own hash over its content and that predecessor hash:
 *
 *   hash = hex(SHA-256(canonical(event without previousHash and hash) + previousHash))
 *
 * canonical = JSON with object keys sorted recursively (JavaScript's default string order, i.e. by UTF-16 code
 * units), no whitespace, UTF-8; values as JSON.stringify writes them (undefined members dropped). The first event
 * of a stream has previousHash GENESIS_HASH. The store sets both fields on append; callers never do.
 */
import { createHash } from 'node:crypto';
import type { DomainEvent } from '@jobstream/domain';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonicalJson(withJson.toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += (i > 0 ? ',' : '') + (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item));
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
    first = false;
  }
  return out + '}';
}

/** The hash an event must carry, given the hash of its predecessor on the stream. */
export function eventHash(event: DomainEvent, previousHash: string): string {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { hash, previousHash: _previous, ...content } = event;
  return createHash('sha256').update(canonicalJson(content) + previousHash, 'utf8').digest('hex');
}

/** Copies of the events with their chain fields set, continuing after `previousHash`; the inputs stay as they are. */
export function chainEvents(events: readonly DomainEvent[], previousHash: string): DomainEvent[] {
  const out: DomainEvent[] = new Array(events.length);
  let previous = previousHash;
  for (let i = 0; i < events.length; i++) {
    const hash = eventHash(events[i], previous);
    out[i] = { ...events[i], previousHash: previous, hash };
    previous = hash;
  }
  return out;
}

/** Where the chain continues after a stored event: its hash, or a new chain after an event stored without one. */
export const chainTipOf = (event: DomainEvent | undefined): string => event?.hash ?? GENESIS_HASH;
