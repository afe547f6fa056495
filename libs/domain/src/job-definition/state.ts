import type { JobDefinitionSchedule, JobDefinitionSpec, JobRunResult, JobRunTrigger } from './events';
import type { RetryPolicy } from '../job/policy';

export const JOB_DEFINITION_STATUSES = [
  'Disabled',
  'Ready',
  'Queued',
  'Running',
  'RecyclePending',
  'Suspended',
  'Unknown',
] as const;

export type JobDefinitionStatus = (typeof JOB_DEFINITION_STATUSES)[number];

/** A changed definition waits for the run in flight to finish; `enabled` is never deferred. */
export type PendingJobDefinitionChange = Omit<JobDefinitionSpec, 'enabled'>;

export interface JobDefinitionState {
  exists: boolean;
  deleted: boolean;
  definitionId: string | null;
  tenant: string | null;
  /** Null only before job-definition.created. */
  status: JobDefinitionStatus | null;
  name: string;
  description: string;
  type: string;
  configuration: unknown;
  schedule: JobDefinitionSchedule | null;
  retry: RetryPolicy | null;
  enabled: boolean;
  /** Suspended on this host for redundancy; cleared by enable or disable. */
  suspended: boolean;
  suspendedReason: string | null;
  pendingChange: PendingJobDefinitionChange | null;
  /** The job of the run in flight, requested or observed. */
  currentJobId: string | null;
  runPhase: 'queued' | 'running' | null;
  runTrigger: JobRunTrigger | null;
  stopRequested: boolean;
  /** A run started that this definition never requested (or not the one it requested). */
  lostTrack: boolean;
  /** Executor id of the running job. */
  activeOnHost: string | null;
  lastRunResult: JobRunResult | null;
  /** When the last run began (or ended, for a run that never started). */
  lastRunTime: string | null;
  nextRunTime: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  version: number;
}

export const initialJobDefinitionState: JobDefinitionState = {
  exists: false,
  deleted: false,
  definitionId: null,
  tenant: null,
  status: null,
  name: '',
  description: '',
  type: '',
  configuration: null,
  schedule: null,
  retry: null,
  enabled: false,
  suspended: false,
  suspendedReason: null,
  pendingChange: null,
  currentJobId: null,
  runPhase: null,
  runTrigger: null,
  stopRequested: false,
  lostTrack: false,
  activeOnHost: null,
  lastRunResult: null,
  lastRunTime: null,
  nextRunTime: null,
  createdAt: null,
  updatedAt: null,
  version: 0,
};

/**
 * The run in flight outranks the flags: a definition disabled or suspended while running still shows
 * what it is doing, and takes its resting status once the run finishes.
 */
export function deriveJobDefinitionStatus(s: JobDefinitionState): JobDefinitionStatus | null {
  if (!s.exists) return null;
  if (s.lostTrack) return 'Unknown';
  if (s.runPhase !== null) return s.pendingChange ? 'RecyclePending' : s.runPhase === 'running' ? 'Running' : 'Queued';
  if (!s.enabled) return 'Disabled';
  if (s.suspended) return 'Suspended';
  return 'Ready';
}
