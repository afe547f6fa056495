export interface JobSummary {
  jobId: string;
  type: string;
  status: string;
  priority: number;
  progress: { percent: number; message: string };
  attempt: number;
  executorId: string | null;
  definitionId: string | null;
  submittedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
  lastError: string | null;
}

export interface JobPage {
  items: JobSummary[];
  nextCursor: string | null;
}

export interface JobView {
  jobId: string;
  type: string;
  status: string;
  priority: number;
  payload: unknown;
  progress: { percent: number; message: string };
  jobVariables: Record<string, unknown>;
  workflowVariables: Record<string, unknown>;
  output: unknown;
  attempt: number;
  executorId: string | null;
  locks: { resource: string; mode: string }[];
  timestamps: { submittedAt: string | null; startedAt: string | null; endedAt: string | null; updatedAt: string | null };
  lastError: { message: string; error?: { name: string; message: string; stack?: string } } | null;
  cancelRequested: boolean;
  definitionId: string | null;
}

export interface HistoryEntry {
  revision: number;
  type: string;
  occurredAt: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  data: unknown;
}

export interface DefinitionRow {
  definitionId: string;
  name: string;
  description: string;
  type: string;
  status: string;
  enabled: boolean;
  lastRunResult: string | null;
  lastRunTime: string | null;
  nextRunTime: string | null;
  activeOnHost: string | null;
  currentJobId: string | null;
}

/** A notice from `GET /{tenant}/api/events`. */
export interface Transition {
  aggregate: string;
  jobId: string;
  type: string;
  revision: number;
  status: string | null;
}

export interface TaskReport {
  index: number;
  taskId: string;
  taskType: string;
  status: string;
  skipReason: string | null;
  waitingUntil: string | null;
  jobId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  objects: { processed: number; succeeded: number; failed: number } | null;
}

export interface RunReport {
  instanceId: string;
  definitionId: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  cancelRequested: boolean;
  timeLimit: string | null;
  tasks: TaskReport[];
}

export interface OrchestrationDefinition {
  id: string;
  name: string;
  description?: string;
  active?: boolean;
  orchestratedTasks: { taskId: string; taskType: string }[];
}

export interface ExecutorView {
  executorId: string;
  host: string;
  types: string[];
  capacity: number;
  inFlight: number;
  startedAt: string;
  lastSeenAt: string;
}

export interface LockResource {
  resource: string;
  holders: { jobId: string; mode: string; since?: string }[];
  waiters: { jobId: string; mode: string; since?: string }[];
}
