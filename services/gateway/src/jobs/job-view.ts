import type { JobState, JobStatus } from '@jobstream/domain';
import type { RecordedEvent } from '@jobstream/event-store';

/** `GET /{tenant}/api/jobs/{jobId}`: the job folded from its own stream. */
export interface JobView {
  jobId: string;
  tenant: string;
  type: string;
  status: JobStatus;
  priority: number;
  payload: unknown;
  progress: { percent: number; message: string };
  jobVariables: Record<string, unknown>;
  workflowVariables: Record<string, unknown>;
  output: unknown;
  /** Named as in the list items (the projector's JobSummary): one name per idea. */
  attempt: number;
  executorId: string | null;
  locks: JobState['locks'];
  timestamps: { submittedAt: string | null; startedAt: string | null; endedAt: string | null; updatedAt: string | null };
  lastError: JobState['lastError'];
  cancelRequested: boolean;
  definitionId: string | null;
}

export interface JobHistoryEntry {
  revision: number;
  type: string;
  occurredAt: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  data: unknown;
}

export interface JobHistory {
  jobId: string;
  events: JobHistoryEntry[];
}

/** Only called for a state that exists, so the nullable identity fields are set. */
export function toJobView(s: JobState): JobView {
  return {
    jobId: s.jobId as string,
    tenant: s.tenant as string,
    type: s.type as string,
    status: s.status as JobStatus,
    priority: s.priority,
    payload: s.payload,
    progress: s.progress,
    jobVariables: s.jobVariables,
    workflowVariables: s.workflowVariables,
    output: s.output,
    attempt: s.attempt,
    executorId: s.executorId,
    locks: s.locks,
    timestamps: { submittedAt: s.submittedAt, startedAt: s.startedAt, endedAt: s.endedAt, updatedAt: s.updatedAt },
    lastError: s.lastError,
    cancelRequested: s.cancelRequested,
    definitionId: s.definitionId,
  };
}

export function toHistory(jobId: string, recorded: RecordedEvent[]): JobHistory {
  return {
    jobId,
    events: recorded.map(({ revision, event }) => ({
      revision,
      type: event.type,
      occurredAt: event.occurredAt,
      actor: event.actor,
      correlationId: event.correlationId,
      causationId: event.causationId,
      data: event.data,
    })),
  };
}
