import type { LockMode } from './events';
import type { LockHolder, LockTableState } from './state';

/** A queued job as the API and dashboard show it; the arrival number stays internal. */
export interface LockWaiterView {
  jobId: string;
  mode: LockMode;
  since: string;
}

export interface LockTableEntry {
  resource: string;
  holders: LockHolder[];
  waiters: LockWaiterView[];
}

export function holdersOf(state: LockTableState, resource: string): LockHolder[] {
  return (state.resources.get(resource)?.holders ?? []).map(({ jobId, mode, since }) => ({ jobId, mode, since }));
}

/** In arrival order: the first one is the next to be granted. */
export function waitersOf(state: LockTableState, resource: string): LockWaiterView[] {
  return (state.resources.get(resource)?.waiters ?? []).map(({ jobId, mode, since }) => ({ jobId, mode, since }));
}

/** Every contended resource, sorted by name so the view is stable between calls. */
export function lockTableView(state: LockTableState): LockTableEntry[] {
  return [...state.resources.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((resource) => ({ resource, holders: holdersOf(state, resource), waiters: waitersOf(state, resource) }));
}
