import { isDomainError, JobCommand } from '@jobstream/domain';
import { NatsConnection } from 'nats';
import { ChildJob, JobContext } from '../sdk/job-handler';
import { JobStream } from './job-events';

export interface ChildSubmitter {
  submit(tenant: string, job: ChildJob, correlationId: string, causationId: string): Promise<string>;
}

/** What this executor does when it finds its job TIMED_OUT while the handler still runs. */
export type ResumePolicy = 'resume' | 'fail' | 'stop';

export interface RunningJobOptions {
  resumePolicy: ResumePolicy;
  /** A progress report was recorded (it doubles as a heartbeat). */
  onProgress?: () => void;
  /** A begin the stream holds back is appended on its own once the handler has run this long. */
  flushBeginAfterMs?: number;
}

/** The abort reason when the job was taken over, failed or cancelled by others while its handler ran. */
export class LostJobError extends Error {
  override readonly name = 'LostJobError';
}


/** The JobContext a handler sees, backed by the job's event stream and the executor's NATS link. */
export class RunningJob implements JobContext {
  readonly abort = new AbortController();
  readonly jobVariables: Record<string, unknown>;
  readonly workflowVariables: Record<string, unknown>;
  private readonly subscriptions: { unsubscribe(): void }[] = [];
  /** Transitions of one job are written one after another, in call order. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Set once this executor no longer owns the job: the handler is aborted and its outcome is not recorded. */
  lost = false;
  private reclaiming: Promise<boolean> | null = null;
  private flushBegin?: NodeJS.Timeout;

  constructor(
    readonly stream: JobStream,
    private readonly executorId: string,
    private readonly nc: NatsConnection,
    private readonly children: ChildSubmitter,
    readonly log: JobContext['log'],
    private readonly options: RunningJobOptions = { resumePolicy: 'stop' },
  ) {
    const state = stream.state;
    this.jobVariables = { ...state.jobVariables };
    this.workflowVariables = { ...state.workflowVariables };
    // A stopped listener must not take more shared messages: core NATS would not redeliver them.
    this.abort.signal.addEventListener('abort', () => this.unsubscribeAll(), { once: true });
    if (stream.deferring && options.flushBeginAfterMs !== undefined) {
      this.flushBegin = setTimeout(() => void this.serial(() => this.recordBegin()), options.flushBeginAfterMs);
      this.flushBegin.unref();
    }
  }

  /** The handler outlived the grace period: the job shows RUNNING from now on, not only once it ends. */
  private async recordBegin(): Promise<void> {
    try {
      await this.stream.flush();
    } catch (error) {
      if (isDomainError(error)) this.lose(`its start was refused: ${error.message}`);
      // Still held back: the next transition appends it.
      else this.log.warn('start not recorded yet', { error: (error as Error).message });
    }
  }

  private unsubscribeAll(): void {
    for (const sub of this.subscriptions.splice(0)) sub.unsubscribe();
  }

  get tenant(): string {
    return this.stream.state.tenant as string;
  }
  get jobId(): string {
    return this.stream.state.jobId as string;
  }
  get type(): string {
    return this.stream.state.type as string;
  }
  get attempt(): number {
    return this.stream.state.attempt;
  }
  get correlationId(): string {
    return this.stream.correlationId;
  }
  get payload(): Record<string, unknown> {
    return (this.stream.state.payload ?? {}) as Record<string, unknown>;
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  progress(percent: number, message = ''): Promise<void> {
    return this.serial(async () => {
      await this.transition({ type: 'progress', executorId: this.executorId, percent, message });
      this.options.onProgress?.();
    });
  }

  async step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const steps = this.stream.state.steps;
    if (Object.prototype.hasOwnProperty.call(steps, name)) return steps[name] as T;
    const result = await fn();
    await this.serial(() =>
      this.transition({ type: 'completeStep', executorId: this.executorId, name, result: result ?? null }),
    );
    return result;
  }

  /**
   * Appends a transition of the running handler. When the job is refused because it timed out while this
   * executor still ran it, the job is resumed first (seed Dalet Flex: reporting before the second deadline
   * resumes); when someone else moved it on, the handler is stopped and the refusal rethrown.
   */
  async transition(command: JobCommand): Promise<void> {
    try {
      await this.stream.apply(command);
      return;
    } catch (error) {
      if (!isDomainError(error) || !(await this.reclaim())) throw error;
    }
    await this.stream.apply(command);
  }

  /**
   * Makes sure this executor still owns the job, resuming it if it timed out meanwhile. Exactly one of the
   * original executor and a taker-over finishes a job: the domain lets only the owner append, and the loser
   * learns it here and stops its handler. Returns true when the job is (again) ours.
   */
  reclaim(): Promise<boolean> {
    this.reclaiming ??= this.reclaimOnce().finally(() => (this.reclaiming = null));
    return this.reclaiming;
  }

  private async reclaimOnce(): Promise<boolean> {
    if (this.lost) return false;
    const state = await this.stream.reload();
    if (state.status === 'RUNNING' && state.executorId === this.executorId) return true;
    const mayResume = state.status === 'TIMED_OUT' && state.previousExecutorId === this.executorId;
    if (!mayResume || this.options.resumePolicy === 'stop') {
      this.lose(`the job is ${state.status}${state.executorId ? ` on ${state.executorId}` : ''}`);
      return false;
    }
    try {
      await this.stream.apply({ type: 'resume', executorId: this.executorId });
      if (this.options.resumePolicy === 'resume') return true;
      const message = `job type ${this.type} opted into resume but its handler has no resume()`;
      await this.stream.apply({ type: 'fail', executorId: this.executorId, message, error: { name: 'Error', message }, jitter: Math.random() });
      this.lose('failed: cannot resume');
    } catch (error) {
      if (!isDomainError(error)) throw error;
      this.lose(`could not resume: ${error.message}`);
    }
    return false;
  }

  /** Stops the handler for good: another executor (or nobody) runs this job now. */
  lose(why: string): void {
    if (this.lost) return;
    this.lost = true;
    this.log.warn(`stopping the handler: ${why}`);
    this.abort.abort(new LostJobError(why));
  }

  submit(job: ChildJob): Promise<string> {
    return this.children.submit(this.tenant, job, this.correlationId, this.jobId);
  }

  async publish(subject: string, data: Uint8Array): Promise<void> {
    this.nc.publish(subject, data);
    await this.nc.flush();
  }

  subscribe(subject: string, onMessage: (data: Uint8Array, subject: string) => Promise<void>, queue?: string): void {
    const sub = this.nc.subscribe(subject, {
      queue,
      callback: (error, msg) => {
        if (error) return this.log.warn(`subscription ${subject} failed`, { error: error.message });
        onMessage(msg.data, msg.subject).catch((e: Error) =>
          this.log.warn(`message handler on ${subject} failed`, { error: e.message }),
        );
      },
    });
    this.subscriptions.push(sub);
  }

  /** Waits for queued writes (progress, steps) and drops the handler's subscriptions. */
  async settle(): Promise<void> {
    clearTimeout(this.flushBegin);
    this.unsubscribeAll();
    await this.writes;
  }
}
