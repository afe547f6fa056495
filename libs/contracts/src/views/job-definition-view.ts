import type { JobDefinitionSchedule, JobDefinitionStatus, JobRunResult, PendingJobDefinitionChange } from '@jobstream/domain';

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
