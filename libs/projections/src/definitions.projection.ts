import {
  evolveJobDefinition,
  initialJobDefinitionState,
  JOB_DEFINITION_EVENT_TYPES,
  type DomainEvent,
  type JobDefinitionEvent,
  type JobDefinitionState,
} from '@jobstream/domain';
import type { DefinitionSummary } from '@jobstream/contracts';
import type { RecordedEvent } from '@jobstream/event-store';
import { isNextRevision } from './fold';

/** One row of the `job_definitions` table, named as its columns. */
export interface DefinitionRow {
  tenant: string;
  definition_id: string;
  name: string;
  description: string;
  type: string;
  status: string;
  enabled: 0 | 1;
  /** JSON of the schedule, or null for a definition started only by hand. */
  schedule: string | null;
  last_run_result: string | null;
  last_run_time: string | null;
  next_run_time: string | null;
  active_on_host: string | null;
  current_job_id: string | null;
  updated_at: string;
  deleted: 0 | 1;
  version: number;
  state: string;
}

export const isJobDefinitionEvent = (event: DomainEvent): event is JobDefinitionEvent =>
  (JOB_DEFINITION_EVENT_TYPES as readonly string[]).includes(event.type);

export const definitionStateOf = (row: DefinitionRow | null): JobDefinitionState =>
  row ? (JSON.parse(row.state) as JobDefinitionState) : initialJobDefinitionState;

export function projectDefinitionEvent(state: JobDefinitionState, recorded: RecordedEvent<JobDefinitionEvent>): JobDefinitionState | null {
  return isNextRevision(state.version, recorded) ? evolveJobDefinition(state, recorded.event) : null;
}

export function definitionRowOf(tenant: string, definitionId: string, state: JobDefinitionState): DefinitionRow {
  if (!state.exists || state.status === null || state.updatedAt === null) {
    throw new Error(`job definition ${tenant}/${definitionId}: the stream does not start with job-definition.created`);
  }
  return {
    tenant,
    definition_id: definitionId,
    name: state.name,
    description: state.description,
    type: state.type,
    status: state.status,
    enabled: state.enabled ? 1 : 0,
    schedule: state.schedule === null ? null : JSON.stringify(state.schedule),
    last_run_result: state.lastRunResult,
    last_run_time: state.lastRunTime,
    next_run_time: state.nextRunTime,
    active_on_host: state.activeOnHost,
    current_job_id: state.currentJobId,
    updated_at: state.updatedAt,
    deleted: state.deleted ? 1 : 0,
    version: state.version,
    state: JSON.stringify(state),
  };
}

export function definitionSummaryOf(row: DefinitionRow): DefinitionSummary {
  return {
    definitionId: row.definition_id,
    tenant: row.tenant,
    name: row.name,
    description: row.description,
    type: row.type,
    status: row.status as DefinitionSummary['status'],
    enabled: row.enabled === 1,
    schedule: row.schedule === null ? null : (JSON.parse(row.schedule) as DefinitionSummary['schedule']),
    lastRunResult: row.last_run_result as DefinitionSummary['lastRunResult'],
    lastRunTime: row.last_run_time,
    nextRunTime: row.next_run_time,
    activeOnHost: row.active_on_host,
    currentJobId: row.current_job_id,
  };
}
