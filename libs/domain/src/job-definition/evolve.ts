import type { JobDefinitionData, JobDefinitionEvent } from './events';
import {
  deriveJobDefinitionStatus,
  initialJobDefinitionState,
  type JobDefinitionState,
  type PendingJobDefinitionChange,
} from './state';

const changeOf = (d: JobDefinitionData): PendingJobDefinitionChange => ({
  name: d.name,
  description: d.description,
  type: d.type,
  configuration: d.configuration,
  schedule: d.schedule,
  ...(d.retry !== undefined && { retry: d.retry }),
});

const applyChange = (s: JobDefinitionState, c: PendingJobDefinitionChange): JobDefinitionState => ({
  ...s,
  name: c.name,
  description: c.description,
  type: c.type,
  configuration: c.configuration,
  schedule: c.schedule,
  retry: c.retry ?? null,
});

const endRun = (s: JobDefinitionState): JobDefinitionState => ({
  ...s,
  currentJobId: null,
  runPhase: null,
  runTrigger: null,
  stopRequested: false,
  lostTrack: false,
  activeOnHost: null,
});

function apply(s: JobDefinitionState, event: JobDefinitionEvent): JobDefinitionState {
  switch (event.type) {
    case 'job-definition.created':
      return {
        ...applyChange(s, changeOf(event.data)),
        exists: true,
        definitionId: event.data.definitionId,
        tenant: event.tenant,
        enabled: event.data.enabled,
        createdAt: event.occurredAt,
      };
    case 'job-definition.updated': {
      const enabled = { enabled: event.data.enabled, nextRunTime: event.data.enabled ? s.nextRunTime : null };
      // The run in flight was submitted with the old definition; the change waits for it to end.
      return s.runPhase !== null
        ? { ...s, ...enabled, pendingChange: changeOf(event.data) }
        : { ...applyChange(s, changeOf(event.data)), ...enabled };
    }
    case 'job-definition.deleted':
      return { ...s, deleted: true, nextRunTime: null };
    case 'job-definition.enabled':
      return { ...s, enabled: true, suspended: false, suspendedReason: null };
    case 'job-definition.disabled':
      return { ...s, enabled: false, suspended: false, suspendedReason: null, nextRunTime: null };
    case 'job-definition.run-requested':
      return { ...s, currentJobId: event.data.jobId, runPhase: 'queued', runTrigger: event.data.trigger, stopRequested: false };
    case 'job-definition.run-started': {
      const tracked = s.runPhase !== null && s.currentJobId === event.data.jobId;
      return {
        ...s,
        lostTrack: s.lostTrack || !tracked,
        currentJobId: event.data.jobId,
        runPhase: 'running',
        activeOnHost: event.data.executorId,
        // A takeover of the same run does not make it a new run.
        lastRunTime: tracked && s.runPhase === 'running' ? s.lastRunTime : event.occurredAt,
      };
    }
    case 'job-definition.run-finished': {
      const ended = endRun(s.pendingChange ? { ...applyChange(s, s.pendingChange), pendingChange: null } : s);
      return {
        ...ended,
        lastRunResult: event.data.result,
        lastRunTime: s.runPhase === 'running' ? s.lastRunTime : event.occurredAt,
      };
    }
    case 'job-definition.stop-requested':
      return { ...s, stopRequested: true };
    case 'job-definition.suspended':
      return { ...s, suspended: true, suspendedReason: event.data.reason, nextRunTime: null };
    case 'job-definition.next-run-planned':
      return { ...s, nextRunTime: event.data.at };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** Applies one recorded fact and derives the status the Jobs Management screen shows. */
export function evolveJobDefinition(state: JobDefinitionState, event: JobDefinitionEvent): JobDefinitionState {
  const next = apply({ ...state, version: state.version + 1, updatedAt: event.occurredAt }, event);
  return { ...next, status: deriveJobDefinitionStatus(next) };
}

export const foldJobDefinition = (
  events: readonly JobDefinitionEvent[],
  from: JobDefinitionState = initialJobDefinitionState,
): JobDefinitionState => events.reduce(evolveJobDefinition, from);
