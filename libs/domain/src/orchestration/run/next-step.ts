import type { OrchestratedTask } from '../definition/types';
import { DEFAULT_TIME_ZONE, parseLocalTime, sameDayAt } from '../time/local-time';
import type { FinishedRunStatus, SkipReason } from './events';
import type { OrchestrationRunState, TaskRunState } from './state';

/** What a run has to do next at a given time. */
export type OrchestrationStep =
  | { kind: 'launch'; index: number; taskId: string; taskType: string }
  | { kind: 'wait'; index: number; until: string }
  | { kind: 'skip'; index: number; reason: SkipReason }
  | { kind: 'await-task'; index: number; jobId: string }
  | { kind: 'cancel' }
  | { kind: 'finish'; status: FinishedRunStatus }
  | { kind: 'none' };

/**
 * The orchestration rules, in the order they apply to the first task not yet decided:
 * 1. tasks run strictly one after the other: while one runs, nothing else happens;
 * 2. a skip stops the chain: every later task is skipped for the same reason;
 * 3. after a FAILED parent a task runs only if it has no taskExecutionCondition or its
 *    executeOnParentTaskFailure is true (SUCCESS and PARTIAL parents never stop the chain);
 * 4. the hard limit is checked before launching: at or past it the task is skipped;
 * 5. taskStartsAfter is resolved on the local day (in the task's zone) on which the task became
 *    eligible (the run start for the first task, the parent's end otherwise); before it the task
 *    waits, after it the task starts at once. A wait that would end at or past the hard limit is a
 *    skip decided now, since nothing can change its outcome.
 */
export function nextStep(state: OrchestrationRunState, now: Date): OrchestrationStep {
  const { definition } = state;
  if (!state.exists || state.deleted || state.status !== 'RUNNING' || definition === null) return { kind: 'none' };
  const running = state.tasks.findIndex((task) => task.status === 'RUNNING');
  if (running >= 0) return { kind: 'await-task', index: running, jobId: state.tasks[running].jobId ?? '' };
  if (state.cancelRequested) return { kind: 'cancel' };
  const index = state.tasks.findIndex((task) => task.status === 'NOT_STARTED' || task.status === 'WAITING');
  if (index < 0) return { kind: 'finish', status: overallStatus(state.tasks) };

  const task = definition.orchestratedTasks[index];
  const parent = index > 0 ? state.tasks[index - 1] : null;
  if (parent?.status === 'SKIPPED') return { kind: 'skip', index, reason: parent.skipReason ?? 'parent-failure' };
  if (parent?.status === 'FAILED' && !runsAfterParentFailure(task)) return { kind: 'skip', index, reason: 'parent-failure' };
  const limit = state.limitAt === null ? Infinity : Date.parse(state.limitAt);
  if (now.getTime() >= limit) return { kind: 'skip', index, reason: 'time-limit-reached' };
  const startAt = startsAfter(task, new Date((parent ? parent.endedAt : state.startedAt) ?? now));
  if (startAt !== null && startAt.getTime() > now.getTime()) {
    if (startAt.getTime() >= limit) return { kind: 'skip', index, reason: 'time-limit-reached' };
    return { kind: 'wait', index, until: startAt.toISOString() };
  }
  return { kind: 'launch', index, taskId: task.taskId, taskType: task.taskType };
}

/** The seed: no condition means "always runs"; a condition without the flag means the default, false. */
export const runsAfterParentFailure = (task: OrchestratedTask): boolean =>
  task.taskExecutionCondition === undefined || task.taskExecutionCondition.executeOnParentTaskFailure === true;

function startsAfter(task: OrchestratedTask, eligibleAt: Date): Date | null {
  if (task.taskStartsAfter === undefined) return null;
  const time = parseLocalTime(task.taskStartsAfter);
  if (!time) throw new Error(`invalid taskStartsAfter: ${task.taskStartsAfter}`);
  return sameDayAt(eligibleAt, time, task.timeZone ?? DEFAULT_TIME_ZONE);
}

/**
 * - FAILED when the last task that ran failed (whether that stopped the chain or it was the last
 *   task), or when no task ran at all because the hard limit had been reached;
 * - SUCCESS when every task succeeded;
 * - PARTIAL otherwise: some objects failed, a failed task was followed by a task that continued
 *   the chain, or the hard limit skipped the tail of the chain.
 */
export function overallStatus(tasks: readonly TaskRunState[]): FinishedRunStatus {
  const ran = tasks.filter((task) => task.status === 'SUCCESS' || task.status === 'PARTIAL' || task.status === 'FAILED');
  if (ran.length === 0 || ran[ran.length - 1].status === 'FAILED') return 'FAILED';
  return tasks.every((task) => task.status === 'SUCCESS') ? 'SUCCESS' : 'PARTIAL';
}
