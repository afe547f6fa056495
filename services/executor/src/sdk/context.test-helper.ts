import type { NatsConnection, Subscription } from 'nats';
import type { ChildJob, JobContext } from './job-handler';

export interface ProgressCall {
  percent: number;
  message?: string;
}

export interface LogEntry {
  level: 'info' | 'warn';
  msg: string;
  extra?: object;
}

export interface TestContextOptions {
  type?: string;
  payload?: Record<string, unknown>;
  jobId?: string;
  tenant?: string;
  attempt?: number;
  workflowVariables?: Record<string, unknown>;
  /** Results of steps that completed in an earlier attempt, by step name. */
  completedSteps?: Record<string, unknown>;
  /** Replaces the recording submit, e.g. to make it fail. */
  submit?: (job: ChildJob) => Promise<string>;
  /** With a connection, publish and subscribe go to real NATS; without, they stay in memory. */
  nats?: NatsConnection;
}

interface MemorySubscription {
  subject: string;
  queue?: string;
  onMessage: (data: Uint8Array, subject: string) => Promise<void>;
}

/** An in-memory JobContext that records what a handler did, for unit-testing handlers. */
export class TestJobContext implements JobContext {
  readonly tenant: string;
  readonly jobId: string;
  readonly type: string;
  readonly attempt: number;
  readonly correlationId: string;
  readonly payload: Record<string, unknown>;
  readonly jobVariables: Record<string, unknown> = {};
  readonly workflowVariables: Record<string, unknown>;
  readonly progressCalls: ProgressCall[] = [];
  readonly steps: { name: string; result: unknown; replayed: boolean }[] = [];
  readonly submitted: (ChildJob & { id: string })[] = [];
  readonly published: { subject: string; data: Uint8Array }[] = [];
  readonly subscriptions: MemorySubscription[] = [];
  readonly logs: LogEntry[] = [];
  readonly log = {
    info: (msg: string, extra?: object) => this.logs.push({ level: 'info', msg, extra }),
    warn: (msg: string, extra?: object) => this.logs.push({ level: 'warn', msg, extra }),
  };

  private readonly controller = new AbortController();
  private readonly completedSteps: Map<string, unknown>;
  private readonly natsSubscriptions: Subscription[] = [];

  constructor(private readonly options: TestContextOptions = {}) {
    this.type = options.type ?? 'test';
    this.payload = options.payload ?? {};
    this.jobId = options.jobId ?? 'job-1';
    this.tenant = options.tenant ?? 'acme';
    this.attempt = options.attempt ?? 1;
    this.correlationId = `corr-${this.jobId}`;
    this.workflowVariables = options.workflowVariables ?? {};
    this.completedSteps = new Map(Object.entries(options.completedSteps ?? {}));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Cancels the job and ends its real NATS subscriptions, so a test leaves none behind. */
  abort(reason?: unknown): void {
    this.close();
    this.controller.abort(reason);
  }

  /** Ends real NATS subscriptions (call in afterEach when a test did not abort). */
  close(): void {
    this.natsSubscriptions.splice(0).forEach((sub) => sub.unsubscribe());
  }

  async progress(percent: number, message?: string): Promise<void> {
    this.progressCalls.push(message === undefined ? { percent } : { percent, message });
  }

  async step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    if (this.completedSteps.has(name)) {
      const result = this.completedSteps.get(name) as T;
      this.steps.push({ name, result, replayed: true });
      return result;
    }
    const result = await fn();
    this.completedSteps.set(name, result);
    this.steps.push({ name, result, replayed: false });
    return result;
  }

  async submit(job: ChildJob): Promise<string> {
    if (this.options.submit) return this.options.submit(job);
    const id = `child-${this.submitted.length + 1}`;
    this.submitted.push({ ...job, id });
    return id;
  }

  async publish(subject: string, data: Uint8Array): Promise<void> {
    this.published.push({ subject, data });
    this.options.nats?.publish(subject, data);
  }

  subscribe(subject: string, onMessage: (data: Uint8Array, subject: string) => Promise<void>, queue?: string): void {
    this.subscriptions.push({ subject, queue, onMessage });
    const nc = this.options.nats;
    if (!nc) return;
    const sub = nc.subscribe(subject, queue ? { queue } : {});
    this.natsSubscriptions.push(sub);
    void (async () => {
      for await (const msg of sub) {
        await onMessage(msg.data, msg.subject).catch((error) => this.log.warn('message handler failed', { error }));
      }
    })();
  }

  /** Hands a message to the in-memory subscriptions whose subject is exactly `subject`. */
  async deliver(subject: string, data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    for (const sub of this.subscriptions.filter((s) => s.subject === subject)) await sub.onMessage(bytes, subject);
  }
}

/** Polls `check` until it holds, failing after `timeoutMs`: tests wait for conditions, never for time. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
