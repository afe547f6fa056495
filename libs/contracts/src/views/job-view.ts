import type { JobState, JobStatus } from '@jobstream/domain';

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
  /** The executor running the job, or the one that ran its latest attempt once it ended; null while queued. */
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
