import { DomainError } from '../shared/domain-error';
import type { JobCommand } from './commands';
import type { JobState, JobStatus } from './state';

export function requireStatus(state: JobState, command: JobCommand, allowed: readonly JobStatus[], why?: string): void {
  if (state.status !== null && allowed.includes(state.status)) return;
  throw new DomainError(
    'ILLEGAL_TRANSITION',
    why ?? `cannot ${command.type} a job that is ${state.status}`,
    { jobId: state.jobId, status: state.status, command: command.type },
  );
}

export function requireOwner(state: JobState, executorId: string): void {
  if (state.executorId === executorId) return;
  throw new DomainError('NOT_OWNER', `executor ${executorId} does not own job ${state.jobId}`, {
    jobId: state.jobId,
    executorId,
    owner: state.executorId,
  });
}

export function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new DomainError('INVALID_ARGUMENT', message, details);
}

export const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isIsoInstant = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value));
