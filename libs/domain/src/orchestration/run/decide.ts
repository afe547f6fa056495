import { DomainError } from '../../shared/domain-error';
import { type EventContext, makeEvent, streamIdOf } from '../../shared/envelope';
import type { OrchestrationDefinitionState } from '../definition/state';
import {
  type ObjectCounts,
  type OrchestrationRunEvent,
  type OrchestrationRunEventDataMap,
  type OrchestrationRunEventOf,
  type OrchestrationRunEventType,
  TASK_OUTCOMES,
  type TaskOutcome,
} from './events';
import { evolveOrchestrationRun } from './evolve';
import { nextStep } from './next-step';
import { isTerminalRunStatus, type OrchestrationRunState } from './state';

/** REST `POST .../{task-id}/instances`; the caller loads the definition and supplies the new instance id. */
export interface StartOrchestrationRun {
  type: 'start';
  runId: string;
  definition: OrchestrationDefinitionState;
}

/** Sent by the timer when a task's wait is over. */
export interface AdvanceOrchestrationRun {
  type: 'advance';
}

/** Sent when the job launched for a task ends. */
export interface FinishOrchestratedTask {
  type: 'taskFinished';
  index: number;
  jobId: string;
  outcome: TaskOutcome;
  objects: ObjectCounts;
}

/** REST `POST .../instances/{id}/~cancel`. */
export interface CancelOrchestrationRun {
  type: 'cancel';
  reason?: string;
}

/** REST `DELETE .../instances/{id}`. */
export interface DeleteOrchestrationRun {
  type: 'delete';
}

export type OrchestrationRunCommand =
  | StartOrchestrationRun
  | AdvanceOrchestrationRun
  | FinishOrchestratedTask
  | CancelOrchestrationRun
  | DeleteOrchestrationRun;

export const orchestrationRunStreamId = (tenant: string, runId: string): string =>
  streamIdOf(tenant, 'orchestration-run', runId);

type Emit = <T extends OrchestrationRunEventType>(
  type: T,
  data: OrchestrationRunEventDataMap[T],
) => OrchestrationRunEventOf<T>;

/**
 * Every command that changes what the run may do next also takes the run as far as it can at
 * `ctx.now` (skips, a wait, a launch, the finish), so the run is never left between two decisions.
 * Job ids for launched tasks come from `ctx.newId`.
 */
export function decideOrchestrationRun(
  command: OrchestrationRunCommand,
  state: OrchestrationRunState,
  ctx: EventContext,
): OrchestrationRunEvent[] {
  if (command.type === 'start') return decideStart(command, state, ctx);
  if (!state.exists || state.deleted || state.runId === null) {
    throw new DomainError('NOT_FOUND', 'no such orchestration instance', { runId: state.runId, command: command.type });
  }
  const runId = state.runId;
  const emit: Emit = (type, data) => makeEvent(ctx, orchestrationRunStreamId(ctx.tenant, runId), type, data);
  switch (command.type) {
    case 'advance':
      return decideAdvance(state, ctx, emit);
    case 'taskFinished':
      return decideTaskFinished(command, state, ctx, emit);
    case 'cancel': {
      requireRunning(state, 'cancel');
      if (state.cancelRequested) {
        throw new DomainError('ILLEGAL_TRANSITION', 'cancellation already requested', { runId });
      }
      const requested = emit('orchestration-run.cancel-requested', command.reason === undefined ? {} : { reason: command.reason });
      // A running job must stop first; with none running the run is cancelled at once.
      return [requested, ...drive(evolveOrchestrationRun(state, requested), ctx, emit)];
    }
    case 'delete':
      if (!isTerminalRunStatus(state.status)) {
        throw new DomainError('ILLEGAL_TRANSITION', 'cannot delete a running orchestration instance: cancel it first', {
          runId,
          status: state.status,
        });
      }
      return [emit('orchestration-run.deleted', {})];
    default: {
      const unexpected: never = command;
      throw new Error(`unknown orchestration run command: ${(unexpected as { type: string }).type}`);
    }
  }
}

function decideStart(command: StartOrchestrationRun, state: OrchestrationRunState, ctx: EventContext): OrchestrationRunEvent[] {
  if (typeof command.runId !== 'string' || command.runId.trim() === '') {
    throw new DomainError('INVALID_ARGUMENT', 'runId: must be a non-empty string', { field: 'runId' });
  }
  if (state.exists) throw new DomainError('ALREADY_EXISTS', `orchestration instance ${command.runId} already exists`, { runId: command.runId });
  const { definition } = command.definition;
  if (!command.definition.exists || definition === null) {
    throw new DomainError('NOT_FOUND', 'no such orchestration definition', {});
  }
  if (definition.active === false) {
    throw new DomainError('ILLEGAL_TRANSITION', `orchestration definition ${definition.id} is not active`, {
      definitionId: definition.id,
    });
  }
  const emit: Emit = (type, data) => makeEvent(ctx, orchestrationRunStreamId(ctx.tenant, command.runId), type, data);
  const started = emit('orchestration-run.started', {
    runId: command.runId,
    definitionId: definition.id,
    definition,
    startedAt: ctx.now.toISOString(),
  });
  return [started, ...drive(evolveOrchestrationRun(state, started), ctx, emit)];
}

function decideAdvance(state: OrchestrationRunState, ctx: EventContext, emit: Emit): OrchestrationRunEvent[] {
  requireRunning(state, 'advance');
  const step = nextStep(state, ctx.now);
  if (step.kind === 'await-task') {
    throw new DomainError('ILLEGAL_TRANSITION', `task ${step.index} is running; the run advances when it finishes`, {
      runId: state.runId,
      index: step.index,
    });
  }
  if (step.kind === 'wait' && state.tasks[step.index].waitingUntil === step.until) {
    throw new DomainError('ILLEGAL_TRANSITION', `task ${step.index} waits until ${step.until}`, {
      runId: state.runId,
      index: step.index,
      until: step.until,
    });
  }
  return drive(state, ctx, emit);
}

function decideTaskFinished(
  command: FinishOrchestratedTask,
  state: OrchestrationRunState,
  ctx: EventContext,
  emit: Emit,
): OrchestrationRunEvent[] {
  const task = state.tasks[command.index];
  if (!task || task.status !== 'RUNNING' || task.jobId !== command.jobId) {
    throw new DomainError('ILLEGAL_TRANSITION', `task ${command.index} is not running job ${command.jobId}`, {
      runId: state.runId,
      index: command.index,
      jobId: command.jobId,
      status: task?.status ?? null,
    });
  }
  if (!(TASK_OUTCOMES as readonly unknown[]).includes(command.outcome)) {
    throw new DomainError('INVALID_ARGUMENT', `outcome: must be one of ${TASK_OUTCOMES.join(', ')}`, { field: 'outcome' });
  }
  const objects = requireObjectCounts(command.objects);
  const finished = emit('orchestration-run.task-finished', { index: command.index, outcome: command.outcome, objects });
  return [finished, ...drive(evolveOrchestrationRun(state, finished), ctx, emit)];
}

function requireObjectCounts(objects: ObjectCounts): ObjectCounts {
  const { processed, succeeded, failed } = objects ?? {};
  for (const [field, value] of Object.entries({ processed, succeeded, failed })) {
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new DomainError('INVALID_ARGUMENT', `objects.${field}: must be a non-negative integer`, { field: `objects.${field}` });
    }
  }
  return { processed, succeeded, failed };
}

function requireRunning(state: OrchestrationRunState, action: string): void {
  if (state.status === 'RUNNING') return;
  throw new DomainError('ILLEGAL_TRANSITION', `cannot ${action} an orchestration instance that is ${state.status}`, {
    runId: state.runId,
    status: state.status,
  });
}

/** Applies nextStep until the run has to wait for a job, for a time, or has ended. */
function drive(initial: OrchestrationRunState, ctx: EventContext, emit: Emit): OrchestrationRunEvent[] {
  const events: OrchestrationRunEvent[] = [];
  let state = initial;
  const record = (event: OrchestrationRunEvent) => {
    events.push(event);
    state = evolveOrchestrationRun(state, event);
  };
  for (;;) {
    const step = nextStep(state, ctx.now);
    switch (step.kind) {
      case 'skip':
        record(emit('orchestration-run.task-skipped', { index: step.index, reason: step.reason }));
        continue;
      case 'wait':
        if (state.tasks[step.index].waitingUntil !== step.until) {
          record(emit('orchestration-run.task-waiting', { index: step.index, until: step.until }));
        }
        return events;
      case 'launch':
        record(emit('orchestration-run.task-launched', { index: step.index, taskId: step.taskId, jobId: ctx.newId() }));
        return events;
      case 'cancel':
        record(emit('orchestration-run.cancelled', {}));
        return events;
      case 'finish':
        record(emit('orchestration-run.finished', { status: step.status }));
        return events;
      case 'await-task':
      case 'none':
        return events;
      default: {
        const unexpected: never = step;
        throw new Error(`unknown orchestration step: ${(unexpected as { kind: string }).kind}`);
      }
    }
  }
}
