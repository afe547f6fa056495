import 'reflect-metadata';

/** What a handler may hand back when it finishes normally. */
export interface JobResult {
  /** Shown as the job's variables (seed Dalet Flex "Job Variables"). */
  jobVariables?: Record<string, unknown>;
  /** Passed along to the next job of a chain (seed Dalet Flex "Workflow Variables"). */
  workflowVariables?: Record<string, unknown>;
  output?: unknown;
}

/** A failure the handler chose to report: only its message is shown, no stack. */
export interface StructuredFailure {
  failed: { message: string };
}

export type JobOutcome = JobResult | StructuredFailure | void;

export const isStructuredFailure = (value: unknown): value is StructuredFailure =>
  typeof value === 'object' && value !== null && 'failed' in value;

/** A job submitted from inside a running handler (listeners start jobs per message or file). */
export interface ChildJob {
  type: string;
  payload?: Record<string, unknown>;
  idempotencyKey?: string;
  workflowVariables?: Record<string, unknown>;
}

export interface JobContext {
  readonly tenant: string;
  readonly jobId: string;
  readonly type: string;
  readonly attempt: number;
  readonly correlationId: string;
  readonly payload: Record<string, unknown>;
  /** Mutable: what is here when the handler returns is recorded (unless the result overrides it). */
  readonly jobVariables: Record<string, unknown>;
  readonly workflowVariables: Record<string, unknown>;
  /** Aborted when the job is cancelled (or the executor shuts down and hands the job back). */
  readonly signal: AbortSignal;
  /** Records progress (percent 0..100) as a `job.progressed` event; also counts as a heartbeat. */
  progress(percent: number, message?: string): Promise<void>;
  /**
   * An execution step: runs `fn` once and records its result as `job.step-completed`. On resume or
   * retry a step that already completed returns its recorded result instead of running again.
   */
  step<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** Submits another job in the same tenant, correlated with this one; resolves to its id. */
  submit(job: ChildJob): Promise<string>;
  /** Publishes a message on core NATS (for the `publish` job type and listeners' replies). */
  publish(subject: string, data: Uint8Array): Promise<void>;
  /** Subscribes on core NATS, sharing messages with other executors when `queue` is set. */
  subscribe(subject: string, onMessage: (data: Uint8Array, subject: string) => Promise<void>, queue?: string): void;
  readonly log: { info(msg: string, extra?: object): void; warn(msg: string, extra?: object): void };
}

export interface JobHandler {
  execute(ctx: JobContext): Promise<JobOutcome>;
  /** Called instead of execute when this executor resumes a job it owned before its first deadline. */
  resume?(ctx: JobContext): Promise<JobOutcome>;
  /** Runs after the job is cancelled, for clean-up. */
  onCancelled?(ctx: JobContext): Promise<void>;
}

export interface JobHandlerOptions {
  /** Opt in to resume after a first-deadline time-out; without a resume() hook the job then fails. */
  resumable?: boolean;
  /** Long-running listener: runs on one executor at a time under a lease (or on all when scalable). */
  singleton?: boolean;
  scalable?: boolean;
}

const HANDLER_METADATA = Symbol('jobstream:job-handler');

export interface JobHandlerRegistration extends JobHandlerOptions {
  type: string;
}

/** Marks a class as the handler of one job type: `@JobHandler('http') class HttpJob {...}`. */
export function JobHandler(type: string, options: JobHandlerOptions = {}): ClassDecorator {
  return (target) => Reflect.defineMetadata(HANDLER_METADATA, { type, ...options }, target);
}

export function handlerRegistration(target: object): JobHandlerRegistration | undefined {
  return Reflect.getMetadata(HANDLER_METADATA, target.constructor === Function ? target : target.constructor);
}
