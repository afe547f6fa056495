import type { OrchestrationRunEvent } from './events';
import type { OrchestrationRunState, TaskRunState } from './state';
import { runTimeLimit } from './time-limit';

const NOT_STARTED: TaskRunState = {
  status: 'NOT_STARTED',
  skipReason: null,
  waitingUntil: null,
  jobId: null,
  startedAt: null,
  endedAt: null,
  objects: null,
};

export function evolveOrchestrationRun(state: OrchestrationRunState, event: OrchestrationRunEvent): OrchestrationRunState {
  switch (event.type) {
    case 'orchestration-run.started': {
      const { runId, definitionId, definition, startedAt } = event.data;
      return {
        ...state,
        exists: true,
        runId,
        definitionId,
        definition,
        status: 'RUNNING',
        startedAt,
        limitAt: runTimeLimit(definition, new Date(startedAt))?.toISOString() ?? null,
        tasks: definition.orchestratedTasks.map(() => NOT_STARTED),
      };
    }
    case 'orchestration-run.task-waiting':
      return withTask(state, event.data.index, { status: 'WAITING', waitingUntil: event.data.until });
    case 'orchestration-run.task-launched':
      return withTask(state, event.data.index, { status: 'RUNNING', jobId: event.data.jobId, startedAt: event.occurredAt });
    case 'orchestration-run.task-finished':
      return withTask(state, event.data.index, {
        status: event.data.outcome,
        endedAt: event.occurredAt,
        objects: event.data.objects,
      });
    case 'orchestration-run.task-skipped':
      return withTask(state, event.data.index, {
        status: 'SKIPPED',
        skipReason: event.data.reason,
        waitingUntil: null,
        endedAt: event.occurredAt,
      });
    case 'orchestration-run.cancel-requested':
      return { ...state, cancelRequested: true };
    case 'orchestration-run.cancelled':
      return {
        ...state,
        status: 'CANCELLED',
        endedAt: event.occurredAt,
        tasks: state.tasks.map((task) => (task.status === 'WAITING' ? NOT_STARTED : task)),
      };
    case 'orchestration-run.finished':
      return { ...state, status: event.data.status, endedAt: event.occurredAt };
    case 'orchestration-run.deleted':
      return { ...state, deleted: true };
    default: {
      const unexpected: never = event;
      throw new Error(`unknown orchestration run event: ${(unexpected as { type: string }).type}`);
    }
  }
}

function withTask(state: OrchestrationRunState, index: number, change: Partial<TaskRunState>): OrchestrationRunState {
  return { ...state, tasks: state.tasks.map((task, i) => (i === index ? { ...task, ...change } : task)) };
}
