import type { DomainEvent } from '../../shared/envelope';
import type { OrchestrationTaskDefinition } from '../definition/types';

/** How a task's job ended: PARTIAL when some objects failed, FAILED for a fatal error that stopped the job. */
export const TASK_OUTCOMES = ['SUCCESS', 'PARTIAL', 'FAILED'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

export const SKIP_REASONS = ['parent-failure', 'time-limit-reached'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const FINISHED_RUN_STATUSES = ['SUCCESS', 'PARTIAL', 'FAILED'] as const;
export type FinishedRunStatus = (typeof FINISHED_RUN_STATUSES)[number];

export interface ObjectCounts {
  processed: number;
  succeeded: number;
  failed: number;
}

export interface OrchestrationRunEventDataMap {
  /** The definition is a snapshot: updating the definition later only affects later runs. */
  'orchestration-run.started': {
    runId: string;
    definitionId: string;
    definition: OrchestrationTaskDefinition;
    startedAt: string;
  };
  /** `until` is ISO-8601 UTC: the instant the task's taskStartsAfter resolved to. */
  'orchestration-run.task-waiting': { index: number; until: string };
  'orchestration-run.task-launched': { index: number; taskId: string; jobId: string };
  'orchestration-run.task-finished': { index: number; outcome: TaskOutcome; objects: ObjectCounts };
  'orchestration-run.task-skipped': { index: number; reason: SkipReason };
  'orchestration-run.cancel-requested': { reason?: string };
  'orchestration-run.cancelled': Record<string, never>;
  'orchestration-run.finished': { status: FinishedRunStatus };
  /** The instance and its report are removed (REST `DELETE .../instances/{id}`). */
  'orchestration-run.deleted': Record<string, never>;
}

export type OrchestrationRunEventType = keyof OrchestrationRunEventDataMap;

export const ORCHESTRATION_RUN_EVENT_TYPES = [
  'orchestration-run.started',
  'orchestration-run.task-waiting',
  'orchestration-run.task-launched',
  'orchestration-run.task-finished',
  'orchestration-run.task-skipped',
  'orchestration-run.cancel-requested',
  'orchestration-run.cancelled',
  'orchestration-run.finished',
  'orchestration-run.deleted',
] as const satisfies readonly OrchestrationRunEventType[];

export type OrchestrationRunEventOf<T extends OrchestrationRunEventType> = DomainEvent<T, OrchestrationRunEventDataMap[T]>;

export type OrchestrationRunEvent = {
  [T in OrchestrationRunEventType]: OrchestrationRunEventOf<T>;
}[OrchestrationRunEventType];

export const isOrchestrationRunEvent = (event: DomainEvent): event is OrchestrationRunEvent =>
  (ORCHESTRATION_RUN_EVENT_TYPES as readonly string[]).includes(event.type);
