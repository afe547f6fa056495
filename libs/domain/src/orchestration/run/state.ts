import type { OrchestrationTaskDefinition } from '../definition/types';
import type { FinishedRunStatus, ObjectCounts, SkipReason } from './events';

export type RunStatus = 'RUNNING' | FinishedRunStatus | 'CANCELLED';

/** WAITING and RUNNING exist only while the run is in flight; a cancelled run reports its waiting task NOT_STARTED. */
export type TaskRunStatus = 'NOT_STARTED' | 'WAITING' | 'RUNNING' | 'SUCCESS' | 'PARTIAL' | 'FAILED' | 'SKIPPED';

export interface TaskRunState {
  status: TaskRunStatus;
  skipReason: SkipReason | null;
  waitingUntil: string | null;
  jobId: string | null;
  startedAt: string | null;
  /** When the job finished, or when the task was skipped. */
  endedAt: string | null;
  objects: ObjectCounts | null;
}

export interface OrchestrationRunState {
  exists: boolean;
  deleted: boolean;
  runId: string | null;
  definitionId: string | null;
  definition: OrchestrationTaskDefinition | null;
  status: RunStatus | null;
  startedAt: string | null;
  endedAt: string | null;
  cancelRequested: boolean;
  /** The hard limit resolved once at start (executionTimeLimit or executionDurationLimit); null without one. */
  limitAt: string | null;
  tasks: readonly TaskRunState[];
}

export const initialOrchestrationRunState: OrchestrationRunState = {
  exists: false,
  deleted: false,
  runId: null,
  definitionId: null,
  definition: null,
  status: null,
  startedAt: null,
  endedAt: null,
  cancelRequested: false,
  limitAt: null,
  tasks: [],
};

export const isTerminalRunStatus = (status: RunStatus | null): boolean => status !== null && status !== 'RUNNING';
