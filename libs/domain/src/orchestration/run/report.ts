import { DomainError } from '../../shared/domain-error';
import type { ObjectCounts, SkipReason } from './events';
import type { OrchestrationRunState, RunStatus, TaskRunStatus } from './state';

/** One row per orchestrated task, in definition order. */
export interface OrchestratedTaskReport {
  index: number;
  taskId: string;
  taskType: string;
  /** SUCCESS, PARTIAL, FAILED, SKIPPED, NOT_STARTED; WAITING and RUNNING only while the run is in flight. */
  status: TaskRunStatus;
  skipReason: SkipReason | null;
  /** Set while the task waits for its taskStartsAfter. */
  waitingUntil: string | null;
  jobId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Null until the task's job has finished. */
  objects: ObjectCounts | null;
}

/** The task report of the REST API (`GET .../instances/{task-instance-id}`). */
export interface OrchestrationRunReport {
  instanceId: string;
  definitionId: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  cancelRequested: boolean;
  /** The hard limit the run was started with, ISO-8601 UTC. */
  timeLimit: string | null;
  tasks: OrchestratedTaskReport[];
}

export function toReport(state: OrchestrationRunState): OrchestrationRunReport {
  const { runId, definitionId, definition, status, startedAt } = state;
  if (!state.exists || state.deleted || runId === null || definitionId === null || definition === null || status === null || startedAt === null) {
    throw new DomainError('NOT_FOUND', 'no such orchestration instance', { runId });
  }
  return {
    instanceId: runId,
    definitionId,
    status,
    startedAt,
    endedAt: state.endedAt,
    cancelRequested: state.cancelRequested,
    timeLimit: state.limitAt,
    tasks: state.tasks.map((task, index) => ({
      index,
      taskId: definition.orchestratedTasks[index].taskId,
      taskType: definition.orchestratedTasks[index].taskType,
      status: task.status,
      skipReason: task.skipReason,
      waitingUntil: task.waitingUntil,
      jobId: task.jobId,
      startedAt: task.startedAt,
      endedAt: task.endedAt,
      objects: task.objects,
    })),
  };
}
