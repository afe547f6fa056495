import { createHash } from 'node:crypto';
import {
  evolveJobDefinition,
  initialJobDefinitionState,
  type DomainEvent,
  type JobDefinitionEvent,
  type JobDefinitionState,
} from '@jobstream/domain';
import type { Aggregate } from '@jobstream/event-store';

export const SCHEDULE_TIMER_KIND = 'job-definition-schedule';
export const SCHEDULE_TIMER_PREFIX = 'jobdef_';

/** What a schedule timer carries: the definition and the generation of its schedule it was planned for. */
export interface ScheduleTimerTarget {
  [key: string]: unknown;
  kind: typeof SCHEDULE_TIMER_KIND;
  definitionId: string;
  generation: number;
}

/** Events after which what is scheduled (or whether anything is) may differ. */
const RESCHEDULING = new Set<string>([
  'job-definition.created',
  'job-definition.updated',
  'job-definition.enabled',
  'job-definition.disabled',
  'job-definition.deleted',
  'job-definition.suspended',
]);

/**
 * A job definition as its schedule sees it: the domain's state plus the schedule's generation, so
 * that timers planned for an older generation can be recognised as stale and cancelled.
 */
export interface ScheduleView {
  definition: JobDefinitionState;
  /** Revision of the last event that changed the schedule in effect, or -1. */
  generation: number;
  /** When that event was recorded: intervals count from it, cron and once look past it. */
  since: string | null;
  /** The last `next-run-planned`: for which generation, and the timer behind it (null: nothing planned). */
  planned: { generation: number; timerId: string | null } | null;
}

/**
 * Deterministic per definition, generation and due time, so a replayed reaction schedules the same
 * timer (and meets `ALREADY_EXISTS`) instead of a second one. Ids that cannot be a stream token are hashed.
 */
export function scheduleTimerId(definitionId: string, generation: number, dueAt: string): string {
  const token = /^[A-Za-z0-9_-]{1,120}$/.test(definitionId) ? definitionId : createHash('sha256').update(definitionId).digest('hex').slice(0, 32);
  return `${SCHEDULE_TIMER_PREFIX}${token}_${generation}_${Date.parse(dueAt)}`;
}

/** A definition whose schedule should have a timer pending. */
export const isScheduled = (d: JobDefinitionState): boolean => d.exists && !d.deleted && d.enabled && !d.suspended && d.schedule !== null;

export const initialScheduleView: ScheduleView = { definition: initialJobDefinitionState, generation: -1, since: null, planned: null };

export function evolveScheduleView(view: ScheduleView, event: JobDefinitionEvent): ScheduleView {
  const revision = view.definition.version;
  const definition = evolveJobDefinition(view.definition, event);
  // A change made during a run waits in pendingChange; the run's end is when the new schedule applies.
  const rescheduled = RESCHEDULING.has(event.type) || (event.type === 'job-definition.run-finished' && view.definition.pendingChange !== null);
  const next: ScheduleView = rescheduled ? { ...view, definition, generation: revision, since: event.occurredAt } : { ...view, definition };
  if (event.type !== 'job-definition.next-run-planned') return next;
  const at = event.data.at;
  const timerId = at === null || definition.definitionId === null ? null : scheduleTimerId(definition.definitionId, view.generation, at);
  return { ...next, planned: { generation: view.generation, timerId } };
}

export const SCHEDULE_VIEW: Aggregate<ScheduleView> = {
  initial: initialScheduleView,
  evolve: (view, event: DomainEvent) => evolveScheduleView(view, event as JobDefinitionEvent),
};

export const isRescheduling = (type: string): boolean => RESCHEDULING.has(type) || type === 'job-definition.run-finished';
