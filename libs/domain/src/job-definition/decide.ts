import { DomainError } from '../shared/domain-error';
import { makeEvent, streamIdOf, type EventContext } from '../shared/envelope';
import { invalid, isNonEmptyString } from '../job/guards';
import type { JobDefinitionCommand, JobDefinitionCommandType } from './commands';
import {
  JOB_RUN_RESULTS,
  type JobDefinitionEvent,
  type JobDefinitionEventDataMap,
  type JobDefinitionEventOf,
  type JobDefinitionEventType,
} from './events';
import type { JobDefinitionState, JobDefinitionStatus } from './state';
import { isIsoInstant } from '../job/guards';
import { checkSpec } from './validate';

/** Statuses with a run in flight: the definition cannot be deleted under it. */
const BUSY: readonly JobDefinitionStatus[] = ['Queued', 'Running', 'RecyclePending'];

function illegal(state: JobDefinitionState, command: JobDefinitionCommandType, why: string): never {
  throw new DomainError('ILLEGAL_TRANSITION', why, {
    definitionId: state.definitionId,
    status: state.status,
    command,
  });
}

/**
 * Decides which facts a command produces, or throws DomainError.
 * Checks run in this order: existence, status, then the command's arguments.
 */
export function decideJobDefinition(
  command: JobDefinitionCommand,
  state: JobDefinitionState,
  ctx: EventContext,
): JobDefinitionEvent[] {
  if (command.type === 'create') {
    // A deleted definition keeps its stream, so its id stays taken.
    if (state.exists) throw new DomainError('ALREADY_EXISTS', `job definition ${state.definitionId} already exists`);
    if (!isNonEmptyString(command.definitionId)) invalid('definitionId is required');
    const streamId = streamIdOf(ctx.tenant, 'job-definition', command.definitionId);
    return [makeEvent(ctx, streamId, 'job-definition.created', { definitionId: command.definitionId, ...checkSpec(command) })];
  }
  if (!state.exists || state.deleted || state.definitionId === null || state.status === null) {
    throw new DomainError('NOT_FOUND', 'no such job definition', { command: command.type });
  }
  const definitionId = state.definitionId;
  const status = state.status;
  const emit = <T extends JobDefinitionEventType>(type: T, data: JobDefinitionEventDataMap[T]): JobDefinitionEventOf<T> =>
    makeEvent(ctx, streamIdOf(ctx.tenant, 'job-definition', definitionId), type, data);

  switch (command.type) {
    case 'update':
      return [emit('job-definition.updated', { definitionId, ...checkSpec(command) })];
    case 'delete':
      if (BUSY.includes(status)) illegal(state, command.type, `stop the run before deleting a definition that is ${status}`);
      return [emit('job-definition.deleted', {})];
    case 'enable':
      if (state.enabled && !state.suspended) illegal(state, command.type, 'job definition is already enabled');
      return [emit('job-definition.enabled', {})];
    case 'disable':
      if (!state.enabled) illegal(state, command.type, 'job definition is already disabled');
      return [emit('job-definition.disabled', {})];
    case 'start': {
      if (status !== 'Ready') illegal(state, command.type, `cannot start a job definition that is ${status}`);
      const trigger = command.trigger ?? 'manual';
      if (trigger !== 'manual' && trigger !== 'schedule') invalid('trigger is manual or schedule', { trigger });
      // The job id is drawn first so that it is the same whatever the envelope consumes.
      const jobId = ctx.newId();
      return [emit('job-definition.run-requested', { jobId, trigger })];
    }
    case 'stop':
      if (state.currentJobId === null) illegal(state, command.type, `nothing to stop: job definition is ${status}`);
      if (state.stopRequested) illegal(state, command.type, 'stop already requested');
      return [emit('job-definition.stop-requested', { jobId: state.currentJobId })];
    case 'recordRunStarted': {
      if (!isNonEmptyString(command.jobId) || !isNonEmptyString(command.executorId)) invalid('jobId and executorId are required');
      const same = state.runPhase === 'running' && state.currentJobId === command.jobId && state.activeOnHost === command.executorId;
      if (same) illegal(state, command.type, `run ${command.jobId} already started on ${command.executorId}`);
      // An unexpected start is still a fact worth keeping: evolve turns it into Unknown.
      return [emit('job-definition.run-started', { jobId: command.jobId, executorId: command.executorId })];
    }
    case 'recordRunFinished':
      if (state.currentJobId === null || state.currentJobId !== command.jobId) {
        illegal(state, command.type, `run ${command.jobId} is not the run in flight`);
      }
      if (!JOB_RUN_RESULTS.includes(command.result)) invalid('unknown run result', { result: command.result });
      return [emit('job-definition.run-finished', { jobId: command.jobId, result: command.result })];
    case 'suspend':
      if (status !== 'Ready') illegal(state, command.type, `only an idle enabled definition can be suspended, not ${status}`);
      if (!isNonEmptyString(command.reason)) invalid('a suspension needs a reason');
      return [emit('job-definition.suspended', { reason: command.reason })];
    case 'planNextRun':
      if (status === 'Disabled' || status === 'Suspended') illegal(state, command.type, `nothing is planned for a ${status} definition`);
      if (command.at !== null && state.schedule === null) illegal(state, command.type, 'job definition has no schedule');
      if (command.at !== null && !isIsoInstant(command.at)) invalid('at must be an ISO instant or null', { at: command.at });
      return [emit('job-definition.next-run-planned', { at: command.at })];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
