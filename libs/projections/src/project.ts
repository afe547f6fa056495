import { isJobEvent, parseStreamId, type JobDefinitionState, type JobState } from '@jobstream/domain';
import type { CommittedBatch } from '@jobstream/event-store';
import { definitionRowOf, definitionStateOf, isJobDefinitionEvent, projectDefinitionEvent, type DefinitionRow } from './definitions.projection';
import { jobRowOf, jobStateOf, projectJobEvent, type JobRow } from './jobs.projection';

/** Reads the current rows; the projection itself never writes. */
export interface RowSource {
  job(tenant: string, jobId: string): JobRow | null;
  definition(tenant: string, definitionId: string): DefinitionRow | null;
}

export interface RowChange<R> {
  before: R | null;
  after: R;
}

export interface ProjectionChanges {
  /** One change per job touched, however many of its events the batches held. */
  jobs: RowChange<JobRow>[];
  definitions: RowChange<DefinitionRow>[];
  /** Read-model events folded; redelivered ones and other aggregates' events are not counted. */
  eventsApplied: number;
  lastEventAt: string | null;
}

/** A job's contribution to the per-(type, status) counters: none once deleted. */
export interface JobCountDelta {
  tenant: string;
  type: string;
  status: string;
  delta: number;
}

interface Folding<S, R> {
  tenant: string;
  id: string;
  before: R | null;
  state: S;
  changed: boolean;
}

/**
 * Turns committed batches into row changes. The same function serves the live projector, a rebuild and the
 * replay CLI, so they cannot disagree. Events of other aggregates (locks, orchestrations, timers) are ignored.
 */
export function projectBatches(batches: readonly CommittedBatch[], source: RowSource): ProjectionChanges {
  const jobs = new Map<string, Folding<JobState, JobRow>>();
  const definitions = new Map<string, Folding<JobDefinitionState, DefinitionRow>>();
  let eventsApplied = 0;
  let lastEventAt: string | null = null;

  for (const batch of batches) {
    for (const recorded of batch.events) {
      const event = recorded.event;
      if (isJobEvent(event)) {
        let f = jobs.get(event.streamId);
        if (!f) {
          const { tenant, id } = parseStreamId(event.streamId);
          const before = source.job(tenant, id);
          f = { tenant, id, before, state: jobStateOf(before), changed: false };
          jobs.set(event.streamId, f);
        }
        const next = projectJobEvent(f.state, { ...recorded, event });
        if (next === null) continue;
        f.state = next;
        f.changed = true;
      } else if (isJobDefinitionEvent(event)) {
        let f = definitions.get(event.streamId);
        if (!f) {
          const { tenant, id } = parseStreamId(event.streamId);
          const before = source.definition(tenant, id);
          f = { tenant, id, before, state: definitionStateOf(before), changed: false };
          definitions.set(event.streamId, f);
        }
        const next = projectDefinitionEvent(f.state, { ...recorded, event });
        if (next === null) continue;
        f.state = next;
        f.changed = true;
      } else {
        continue;
      }
      eventsApplied++;
      lastEventAt = event.occurredAt;
    }
  }

  return {
    jobs: [...jobs.values()].filter((f) => f.changed).map((f) => ({ before: f.before, after: jobRowOf(f.tenant, f.id, f.state) })),
    definitions: [...definitions.values()]
      .filter((f) => f.changed)
      .map((f) => ({ before: f.before, after: definitionRowOf(f.tenant, f.id, f.state) })),
    eventsApplied,
    lastEventAt,
  };
}

/** Net counter changes, zero sums left out, in a stable order. */
export function jobCountDeltas(changes: readonly RowChange<JobRow>[]): JobCountDelta[] {
  const deltas = new Map<string, JobCountDelta>();
  const add = (row: JobRow | null, delta: number) => {
    if (row === null || row.deleted === 1) return;
    const key = JSON.stringify([row.tenant, row.type, row.status]);
    const d = deltas.get(key) ?? { tenant: row.tenant, type: row.type, status: row.status, delta: 0 };
    d.delta += delta;
    deltas.set(key, d);
  };
  for (const change of changes) {
    add(change.before, -1);
    add(change.after, +1);
  }
  return [...deltas.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d)
    .filter((d) => d.delta !== 0);
}
