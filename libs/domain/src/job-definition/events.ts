import type { DomainEvent } from '../shared/envelope';
import type { RetryPolicy } from '../job/policy';

export type JobDefinitionSchedule =
  | { kind: 'cron'; expression: string; timeZone: string }
  | { kind: 'interval'; everyMs: number }
  | { kind: 'once'; at: string };

/** What a person edits on the Jobs Management screen. */
export interface JobDefinitionSpec {
  name: string;
  description: string;
  /** The job handler type the runs are submitted with. */
  type: string;
  configuration: unknown;
  /** Null for a definition that only runs when started by hand. */
  schedule: JobDefinitionSchedule | null;
  enabled: boolean;
  retry?: RetryPolicy;
}

export type JobDefinitionData = JobDefinitionSpec & { definitionId: string };

export type JobRunTrigger = 'manual' | 'schedule';
export const JOB_RUN_RESULTS = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const;
export type JobRunResult = (typeof JOB_RUN_RESULTS)[number];

export interface JobDefinitionEventDataMap {
  'job-definition.created': JobDefinitionData;
  'job-definition.updated': JobDefinitionData;
  'job-definition.deleted': Record<string, never>;
  'job-definition.enabled': Record<string, never>;
  'job-definition.disabled': Record<string, never>;
  'job-definition.run-requested': { jobId: string; trigger: JobRunTrigger };
  'job-definition.run-started': { jobId: string; executorId: string };
  'job-definition.run-finished': { jobId: string; result: JobRunResult };
  'job-definition.stop-requested': { jobId: string };
  'job-definition.suspended': { reason: string };
  'job-definition.next-run-planned': { at: string | null };
}

export type JobDefinitionEventType = keyof JobDefinitionEventDataMap;

export const JOB_DEFINITION_EVENT_TYPES = [
  'job-definition.created',
  'job-definition.updated',
  'job-definition.deleted',
  'job-definition.enabled',
  'job-definition.disabled',
  'job-definition.run-requested',
  'job-definition.run-started',
  'job-definition.run-finished',
  'job-definition.stop-requested',
  'job-definition.suspended',
  'job-definition.next-run-planned',
] as const satisfies readonly JobDefinitionEventType[];

export type JobDefinitionEventOf<T extends JobDefinitionEventType> = DomainEvent<T, JobDefinitionEventDataMap[T]>;

export type JobDefinitionEvent = { [T in JobDefinitionEventType]: JobDefinitionEventOf<T> }[JobDefinitionEventType];
