import { isDomainError, JobCommand, JobState } from '@jobstream/domain';
import { publishTransition, timeHandler, WORK_DUPLICATE_WINDOW_MS, WorkItem } from '@jobstream/messaging';
import { NatsConnection } from 'nats';
import { isStructuredFailure, JobContext, JobHandlerRegistration, JobOutcome } from '../sdk/job-handler';
import { ExecutorConfig } from './executor-config';
import { JobStream, type KnownJob } from './job-events';
import { RegisteredHandler } from './handler-registry';
import { ChildSubmitter, ResumePolicy, RunningJob } from './running-job';
import type { EventStore } from '@jobstream/event-store';

/** `state` is the job as this runner last saw it: final when it ran the job, as found when it did not; absent when it did not look. */
export type RunResult = { kind: 'done'; state?: JobState } | { kind: 'later'; delayMs: number };

type Outcome =
  | { kind: 'returned'; value: JobOutcome }
  | { kind: 'threw'; error: Error }
  | { kind: 'cancelled'; abandoned: boolean };

export interface RunnerLogger {
  log(message: string, context?: object): void;
  warn(message: string, context?: object): void;
}

const key = (tenant: string, jobId: string) => `${tenant}/${jobId}`;
/** How long an outcome is retried against a failing store before the work item is handed back. */
const OUTCOME_RETRY_MS = 30_000;

/** Told when a job starts and stops running here, and on each progress report (heartbeats, leases, registry). */
export interface JobLiveness {
  started(job: RunningJob, registration: JobHandlerRegistration): Promise<void>;
  ended(job: RunningJob, registration: JobHandlerRegistration): void;
  beat(job: RunningJob): void;
}

/** Seed Dalet Flex: a job that opted into resume but has no resume() fails; one that did not opt in is not resumed. */
const resumePolicyOf = ({ handler, registration }: RegisteredHandler): ResumePolicy =>
  !registration.resumable ? 'stop' : handler.resume ? 'resume' : 'fail';

/** Young enough that no second copy of the job's work item can exist before its start is appended. */
function isRecent(lastEventAt: string | null): boolean {
  return lastEventAt !== null && Date.now() - Date.parse(lastEventAt) < WORK_DUPLICATE_WINDOW_MS / 2;
}

/**
 * Runs one job from a work item: load its events, record `started` (or `resumed`), run the handler,
 * record the outcome. Every decision goes through the domain, so a stale or duplicated work item
 * (the job already running elsewhere, cancelled, deleted) ends in a DomainError and is dropped.
 */
export class JobRunner {
  private readonly running = new Map<string, RunningJob>();
  private releasing = false;

  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly config: ExecutorConfig,
    private readonly handlers: Map<string, RegisteredHandler>,
    private readonly children: ChildSubmitter,
    private readonly logger: RunnerLogger,
    private readonly liveness?: JobLiveness,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  private readonly onAppended = (tenant: string, notice: Parameters<typeof publishTransition>[2]) =>
    publishTransition(this.nc, tenant, notice);

  /** `known`: the job as its submit's writer handed it over (see JobStream.open). */
  async run(item: WorkItem, known?: KnownJob): Promise<RunResult> {
    const who = {
      tenant: item.tenant,
      actor: `executor:${this.config.executorId}`,
      correlationId: item.correlationId,
      causationId: item.causationId,
    };
    const stream = await JobStream.open(this.store, who, item.jobId, this.onAppended, known);
    // A job handed over unrecorded is stored whatever happens here: its submit must not be lost with this run.
    const done = async (): Promise<RunResult> => {
      if (stream.deferring) await stream.flush();
      return { kind: 'done', state: stream.state };
    };
    const { status, notBefore, type, executorId, previousExecutorId, exists, deleted } = stream.state;
    // The job still runs here (this process was paused past its first deadline and the time-out was
    // dispatched): resume it in place; if it cannot be, run the item again once the local run has stopped.
    const local = this.running.get(key(item.tenant, item.jobId));
    if (local) return (await local.reclaim()) ? done() : { kind: 'later', delayMs: 1_000 };
    // Started by this executor yet not running here: our start was stored but its ack lost (a cluster
    // electing a new stream leader), and the item came back. The handler never ran: run it now rather
    // than leave the job RUNNING with no one behind it until its first deadline.
    const adopted = status === 'RUNNING' && executorId === this.config.executorId;
    if (!exists || deleted || (status !== 'QUEUED' && status !== 'TIMED_OUT' && !adopted)) return done();
    const waitMs = notBefore ? Date.parse(notBefore) - Date.now() : 0;
    if (waitMs > 0) return { kind: 'later', delayMs: waitMs };
    const registered = this.handlers.get(type as string);
    if (!registered) return done();

    const resuming = status === 'TIMED_OUT' && previousExecutorId === this.config.executorId;
    const me = this.config.executorId;
    if (!adopted) {
      // A fresh start of a plain job waits up to startGraceMs to be appended with the outcome: one commit
      // instead of two for a short handler. Singletons and scalable jobs hold leases and registry entries
      // that others read as "running", so they start in the log first. So does a job that became runnable
      // longer ago than half the work stream's duplicate window: a second copy of its item may exist by then
      // (published again after the window), and only a start in the log keeps two executors from both
      // running it before either appends.
      const { singleton, scalable } = registered.registration;
      const deferrable = !resuming && this.config.startGraceMs > 0 && !singleton && !scalable && isRecent(stream.state.updatedAt);
      const begun = deferrable
        ? await this.tryDefer(stream, { type: 'start', executorId: me })
        : await this.tryApply(stream, { type: resuming ? 'resume' : 'start', executorId: me });
      if (!begun) return done();
    }

    const job = new RunningJob(
      stream,
      this.config.executorId,
      this.nc,
      this.children,
      {
        info: (msg, extra) => this.logger.log(msg, { jobId: item.jobId, correlationId: item.correlationId, ...extra }),
        warn: (msg, extra) => this.logger.warn(msg, { jobId: item.jobId, correlationId: item.correlationId, ...extra }),
      },
      { resumePolicy: resumePolicyOf(registered), onProgress: () => this.liveness?.beat(job), flushBeginAfterMs: this.config.startGraceMs },
    );
    this.running.set(key(item.tenant, item.jobId), job);
    try {
      await this.liveness?.started(job, registered.registration);
      const outcome = await timeHandler(job.type, () => this.execute(job, registered, resuming), (o) => o.kind);
      await job.settle().catch(() => undefined);
      await this.record(job, registered, outcome);
    } finally {
      this.running.delete(key(item.tenant, item.jobId));
      this.liveness?.ended(job, registered.registration);
    }
    return done();
  }

  /** A cancel notice for a job this executor runs: abort its handler. */
  cancel(tenant: string, jobId: string): boolean {
    const job = this.running.get(key(tenant, jobId));
    if (!job) return false;
    job.abort.abort(new Error('job cancelled'));
    return true;
  }

  /** On shutdown: hand running jobs back as TIMED_OUT so another executor takes them over. */
  async releaseAll(): Promise<void> {
    this.releasing = true;
    await Promise.all(
      [...this.running.values()].map(async (job) => {
        job.abort.abort(new Error('executor shutting down'));
        await this.tryApply(job.stream, { type: 'timeOut', executorId: this.config.executorId });
      }),
    );
  }

  private async execute(job: RunningJob, registered: RegisteredHandler, resuming: boolean): Promise<Outcome> {
    const { handler, registration } = registered;
    const work = (async (): Promise<Outcome> => {
      try {
        if (resuming && registration.resumable) {
          if (!handler.resume) throw new Error(`job type ${job.type} opted into resume but its handler has no resume()`);
          return { kind: 'returned', value: await handler.resume(job as JobContext) };
        }
        return { kind: 'returned', value: await handler.execute(job as JobContext) };
      } catch (error) {
        return { kind: 'threw', error: error instanceof Error ? error : new Error(String(error)) };
      }
    })();
    // After an abort the handler has a grace period. If it then returns a result (a listener that
    // stops and reports its counts) the result is recorded; if it throws, the job is cancelled.
    const cancelled = new Promise<Outcome>((resolve) => {
      const onAbort = () => {
        const grace = setTimeout(() => resolve({ kind: 'cancelled', abandoned: true }), this.config.cancelGraceMs);
        grace.unref();
        work.then((outcome) => {
          clearTimeout(grace);
          resolve(outcome.kind === 'returned' ? outcome : { kind: 'cancelled', abandoned: false });
        });
      };
      if (job.signal.aborted) onAbort();
      else job.signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([work.then((o) => (job.signal.aborted ? cancelled : o)), cancelled]);
  }

  private async record(job: RunningJob, registered: RegisteredHandler, outcome: Outcome): Promise<void> {
    const executorId = this.config.executorId;
    if (this.releasing) return; // handed back as TIMED_OUT by releaseAll
    // Another executor owns the job now (or nobody may run it): its outcome is not ours to record.
    if (job.lost) return;
    if (outcome.kind === 'cancelled') {
      // The hook cleans up before the job is recorded as cancelled, so `cancelled` means "and cleaned up";
      // a hook that hangs gets the same grace period as the handler, then the cancel is recorded anyway.
      await this.onCancelled(job, registered);
      await this.tryTransition(job, { type: 'confirmCancel', executorId, abandoned: outcome.abandoned });
      return;
    }
    if (outcome.kind === 'threw') {
      const { name, message, stack } = outcome.error;
      await this.tryTransition(job, { type: 'fail', executorId, message, error: { name, message, stack }, jitter: Math.random() });
      return;
    }
    const value = outcome.value;
    if (isStructuredFailure(value)) {
      await this.tryTransition(job, { type: 'fail', executorId, message: value.failed.message, jitter: Math.random() });
      return;
    }
    await this.tryTransition(job, {
      type: 'complete',
      executorId,
      jobVariables: { ...job.jobVariables, ...(value?.jobVariables ?? {}) },
      workflowVariables: { ...job.workflowVariables, ...(value?.workflowVariables ?? {}) },
      output: value?.output,
    });
  }

  private async onCancelled(job: RunningJob, registered: RegisteredHandler): Promise<void> {
    if (!registered.handler.onCancelled) return;
    let grace: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (grace = setTimeout(resolve, this.config.cancelGraceMs)));
    const hook = registered.handler.onCancelled(job).catch((e: Error) => job.log.warn('onCancelled failed', { error: e.message }));
    await Promise.race([hook, timeout]);
    clearTimeout(grace);
  }

  /**
   * An outcome of the running handler, resuming first if the job timed out meanwhile (see RunningJob.transition).
   * A store error (a cluster electing a new stream leader takes a few seconds) is retried while the job's
   * heartbeats go on: given up, the outcome would be lost with the work item, and the job would wait for its
   * first deadline to run again. A retry after an append whose ack was lost is refused by the domain.
   */
  private async tryTransition(job: RunningJob, command: JobCommand): Promise<boolean> {
    const until = Date.now() + OUTCOME_RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await job.transition(command);
        return true;
      } catch (error) {
        if (isDomainError(error)) {
          this.logger.warn(`job ${job.stream.streamId}: ${command.type} refused: ${error.message}`);
          return false;
        }
        if (Date.now() >= until || this.releasing) throw error;
        this.logger.warn(`job ${job.stream.streamId}: ${command.type} not recorded, retrying: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
      }
    }
  }

  /** Applies a command; a DomainError means another actor moved the job on, which is not our error. */
  private tryApply(stream: JobStream, command: JobCommand): Promise<boolean> {
    return this.unlessRefused(stream, command, () => stream.apply(command));
  }

  /** Decides a start now and holds it back for the next append (JobStream.defer); refused as tryApply is. */
  private tryDefer(stream: JobStream, command: Extract<JobCommand, { type: 'start' }>): Promise<boolean> {
    return this.unlessRefused(stream, command, () => stream.defer(command));
  }

  private async unlessRefused(stream: JobStream, command: JobCommand, act: () => unknown): Promise<boolean> {
    try {
      await act();
      return true;
    } catch (error) {
      if (!isDomainError(error)) throw error;
      this.logger.warn(`job ${stream.streamId}: ${command.type} refused: ${error.message}`);
      return false;
    }
  }
}
