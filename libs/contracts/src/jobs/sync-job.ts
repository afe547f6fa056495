/**
 * Wire shapes of synchronous jobs, shared by the gateway (asks) and the executor (runs).
 * `exec.sync.<type>` carries a SyncRunRequest; the executor answers with a SyncRunReply.
 */

export interface SyncJobResult {
  jobId: string;
  status: string;
  jobVariables: Record<string, unknown>;
  workflowVariables: Record<string, unknown>;
  output: unknown;
  lastError: { message: string; error?: { name: string; message: string; stack?: string } } | null;
}

export interface SyncRunRequest {
  tenant: string;
  jobId: string;
  correlationId: string;
  /** The job.submitted event id: what made the job runnable, as in a work item. */
  causationId: string;
  /**
   * The job's first events (job.submitted), so the executor decides `start` without reading the stream. With
   * `position` the gateway has appended them there (the append's expected revision still guards against a stale
   * copy, and the executor appends `started` without looking the stream's tip up); without it they are not
   * stored yet, and the executor stores them with its first append, expecting no stream.
   */
  events: unknown[];
  position?: string;
}

/**
 * `busy`: no free slot, the job stays with the work queue. `done`: the job as the executor left it,
 * after every transition it made was appended; terminal when it ran the job, otherwise as it found
 * it (another executor already took it, or it was cancelled meanwhile). `taken`: the work queue's item
 * for the job is already running it in this executor; the caller waits for the outcome.
 */
export type SyncRunReply =
  | { kind: 'busy' }
  | { kind: 'done'; result: SyncJobResult }
  | { kind: 'taken' }
  | { kind: 'error'; message: string };

/** Why a synchronous request answered 202 and left the job to the background. */
export type SyncFallbackReason = 'timeout' | 'no-executor' | 'executors-at-capacity' | 'gateway-draining' | 'executor-error';
