import type { JobDefinitionSchedule, JobDefinitionState, JobDefinitionStatus, JobRunResult, PendingJobDefinitionChange } from '@jobstream/domain';

export interface DefinitionLinks {
  self: string;
  start: string;
  stop: string;
}

/** One row of the Jobs Management screen, plus what the edit form needs. */
export interface JobDefinitionView {
  definitionId: string;
  name: string;
  description: string;
  type: string;
  configuration: unknown;
  schedule: JobDefinitionSchedule | null;
  enabled: boolean;
  status: JobDefinitionStatus;
  lastRunResult: JobRunResult | null;
  lastRunTime: string | null;
  nextRunTime: string | null;
  activeOnHost: string | null;
  currentJobId: string | null;
  stopRequested: boolean;
  /** The edit waiting for the run in flight to end (status RecyclePending). */
  pendingChange: PendingJobDefinitionChange | null;
  suspendedReason: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  version: number;
  links: DefinitionLinks;
}

export const definitionLinksOf = (tenant: string, definitionId: string): DefinitionLinks => {
  const self = `/${tenant}/api/job-definitions/${definitionId}`;
  return { self, start: `${self}/~start`, stop: `${self}/~stop` };
};

export function toDefinitionView(s: JobDefinitionState): JobDefinitionView {
  const definitionId = s.definitionId as string;
  return {
    definitionId,
    name: s.name,
    description: s.description,
    type: s.type,
    configuration: s.configuration,
    schedule: s.schedule,
    enabled: s.enabled,
    status: s.status as JobDefinitionStatus,
    lastRunResult: s.lastRunResult,
    lastRunTime: s.lastRunTime,
    nextRunTime: s.nextRunTime,
    activeOnHost: s.activeOnHost,
    currentJobId: s.currentJobId,
    stopRequested: s.stopRequested,
    pendingChange: s.pendingChange,
    suspendedReason: s.suspendedReason,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
    links: definitionLinksOf(s.tenant as string, definitionId),
  };
}
