import { evolveJob, initialJobState, type JobEvent, type JobState } from '@jobstream/domain';
import type { JobSummary } from '@jobstream/contracts';
import type { RecordedEvent } from '@jobstream/event-store';
import { isNextRevision } from './fold';

/** One row of the `jobs` table, named as its columns so it binds to SQL as is. */
export interface JobRow {
  tenant: string;
  job_id: string;
  type: string;
  status: string;
  priority: number;
  progress_percent: number;
  progress_message: string;
  attempt: number;
  executor_id: string | null;
  definition_id: string | null;
  submitted_at: string;
  started_at: string | null;
  ended_at: string | null;
  updated_at: string;
  last_error: string | null;
  deleted: 0 | 1;
  /** Events folded: the next event of the stream must have this revision. */
  version: number;
  /** The whole folded JobState as JSON; the other columns are indexed or listed copies of it. */
  state: string;
}

/**
 * The state each row built here was encoded from. A live job's next commit usually starts from the row its
 * previous one wrote (the projector keeps recent rows in memory), and taking the state back from here skips
 * parsing the JSON just written. States are never mutated (evolve returns new ones), so the two cannot differ.
 */
const stateOfRow = new WeakMap<JobRow, JobState>();

export const jobStateOf = (row: JobRow | null): JobState =>
  row ? (stateOfRow.get(row) ?? (JSON.parse(row.state) as JobState)) : initialJobState;

/** Folds one recorded event into the job's state; null when the event was applied before. */
export function projectJobEvent(state: JobState, recorded: RecordedEvent<JobEvent>): JobState | null {
  return isNextRevision(state.version, recorded) ? evolveJob(state, recorded.event) : null;
}

export function jobRowOf(tenant: string, jobId: string, state: JobState): JobRow {
  if (!state.exists || state.type === null || state.status === null || state.submittedAt === null || state.updatedAt === null) {
    throw new Error(`job ${tenant}/${jobId}: the stream does not start with job.submitted`);
  }
  const row: JobRow = {
    tenant,
    job_id: jobId,
    type: state.type,
    status: state.status,
    priority: state.priority,
    progress_percent: state.progress.percent,
    progress_message: state.progress.message,
    attempt: state.attempt,
    executor_id: state.lastExecutorId,
    definition_id: state.definitionId,
    submitted_at: state.submittedAt,
    started_at: state.startedAt,
    ended_at: state.endedAt,
    updated_at: state.updatedAt,
    last_error: state.lastError?.message ?? null,
    deleted: state.deleted ? 1 : 0,
    version: state.version,
    state: JSON.stringify(state),
  };
  stateOfRow.set(row, state);
  return row;
}

export function jobSummaryOf(row: Omit<JobRow, 'state' | 'version' | 'deleted'>): JobSummary {
  return {
    jobId: row.job_id,
    tenant: row.tenant,
    type: row.type,
    status: row.status as JobSummary['status'],
    priority: row.priority,
    progress: { percent: row.progress_percent, message: row.progress_message },
    attempt: row.attempt,
    executorId: row.executor_id,
    definitionId: row.definition_id,
    submittedAt: row.submitted_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    updatedAt: row.updated_at,
    lastError: row.last_error,
  };
}
