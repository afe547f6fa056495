import type { JobState, JobStatus } from '@jobstream/domain';
import type { RecordedEvent } from '@jobstream/event-store';
import type { JobHistory, JobView } from '@jobstream/contracts';

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
    executorId: s.lastExecutorId,
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
