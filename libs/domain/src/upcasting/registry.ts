import type { DomainEvent } from '../shared/envelope';
import { CURRENT_SCHEMA_VERSIONS } from './versions';
import { JOB_UPCASTERS } from './job';

/** Turns the `data` of one schema version of an event type into the next version's `data`. */
export type Upcaster = (data: unknown, event: DomainEvent) => unknown;

/** `(type, fromVersion) → fn`: each function lifts `fromVersion` to `fromVersion + 1`. */
export type UpcasterTable = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

const UPCASTERS: UpcasterTable = { ...JOB_UPCASTERS };

/** Every bumped type must be reachable from version 1, or old events would reach the folds unchanged. */
for (const [type, current] of Object.entries(CURRENT_SCHEMA_VERSIONS)) {
  for (let v = 1; v < current; v++) {
    if (typeof UPCASTERS[type]?.[v] !== 'function') throw new Error(`no upcaster for ${type} v${v} → v${v + 1}`);
  }
}

/**
 * Brings a stored event to the shape the code folds today. Events already current come back as the same object
 * (no copy: this runs on every event read), older ones as a new event with the upgraded data and schemaVersion.
 * A version newer than this code knows is left alone: the reader is older than the writer, and guessing would
 * be worse than folding what it understands.
 */
export function upcast<E extends DomainEvent>(event: E): E {
  const current = CURRENT_SCHEMA_VERSIONS[event.type];
  if (current === undefined || !(event.schemaVersion < current)) return event;
  const steps = UPCASTERS[event.type];
  let data: unknown = event.data;
  for (let v = event.schemaVersion; v < current; v++) data = steps[v](data, event);
  return { ...event, schemaVersion: current, data };
}
