import { NatsConnection } from 'nats';
import { ChildJob, JobContext } from '../sdk/job-handler';
import { JobStream } from './job-events';

export interface ChildSubmitter {
  submit(tenant: string, job: ChildJob, correlationId: string, causationId: string): Promise<string>;
}


/** The JobContext a handler sees, backed by the job's event stream and the executor's NATS link. */
export class RunningJob implements JobContext {
  readonly abort = new AbortController();
  readonly jobVariables: Record<string, unknown>;
  readonly workflowVariables: Record<string, unknown>;
  private readonly subscriptions: { unsubscribe(): void }[] = [];
  /** Transitions of one job are written one after another, in call order. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly stream: JobStream,
    private readonly executorId: string,
    private readonly nc: NatsConnection,
    private readonly children: ChildSubmitter,
    readonly log: JobContext['log'],
  ) {
    const state = stream.state;
    this.jobVariables = { ...state.jobVariables };
    this.workflowVariables = { ...state.workflowVariables };
    // A stopped listener must not take more shared messages: core NATS would not redeliver them.
    this.abort.signal.addEventListener('abort', () => this.unsubscribeAll(), { once: true });
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
      await this.stream.apply({ type: 'progress', executorId: this.executorId, percent, message });
    });
  }

  async step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const steps = this.stream.state.steps;
    if (Object.prototype.hasOwnProperty.call(steps, name)) return steps[name] as T;
    const result = await fn();
    await this.serial(() =>
      this.stream.apply({ type: 'completeStep', executorId: this.executorId, name, result: result ?? null }),
    );
    return result;
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
    this.unsubscribeAll();
    await this.writes;
  }
}
