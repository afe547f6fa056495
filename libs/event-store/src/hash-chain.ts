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
import { hash as digest } from 'node:crypto';
import type { DomainEvent } from '@jobstream/domain';

export const GENESIS_HASH = '0'.repeat(64);

/** Quoted keys with their colon, reused: the same few dozen schema keys come back on every event. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_LIMIT = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key) + ':';
    if (quotedKeys.size < QUOTED_KEYS_LIMIT) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Sorts in place by UTF-16 code units, as Array.prototype.sort's default; objects here have few keys. */
function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

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
  const keys = sortKeys(Object.keys(record));
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const member = record[keys[i]];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    out += (out.length > 1 ? ',' : '') + quotedKey(keys[i]) + canonicalJson(member);
  }
  return out + '}';
}

/** The canonical JSON the hash covers: the event without its chain fields. */
export function canonicalContent(event: DomainEvent): string {
  if (event.hash === undefined && event.previousHash === undefined) return canonicalJson(event);
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { hash, previousHash, ...content } = event;
  return canonicalJson(content);
}

/** The hash of an event given its canonical content: appends hash the JSON they already wrote. */
export function contentHash(canonical: string, previousHash: string): string {
  // One-shot hash: no Hash object per event (the append hot path hashes every event).
  return digest('sha256', canonical + previousHash, 'hex');
}

/** The hash an event must carry, given the hash of its predecessor on the stream. */
export function eventHash(event: DomainEvent, previousHash: string): string {
  return contentHash(canonicalContent(event), previousHash);
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
