import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { checkDto, SubmitJobDto, type SyncFallbackReason, type SyncJobResult, type SyncRunReply, type SyncRunRequest } from '@jobstream/contracts';
import { isTerminal, type JobState } from '@jobstream/domain';
import { NATS_CONNECTION, publishWorkItem, request as natsRequest, subjects, positiveIntFromEnv } from '@jobstream/messaging';
import { ErrorCode, JSONCodec, NatsError, type NatsConnection } from 'nats';
import { ApiError } from '../errors/api-error';
import type { Caller } from '../jobs/caller';
import { JobsService, linksOf, type JobLinks } from '../jobs/jobs.service';
import { JobWaiter } from '../live/job-waiter';

const requestCodec = JSONCodec<SyncRunRequest>();
const replyCodec = JSONCodec<SyncRunReply>();

export const DEFAULT_SYNC_TIMEOUT_MS = 5_000;

function maxTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return positiveIntFromEnv(env, 'SYNC_MAX_TIMEOUT_MS', 60_000);
}

export interface SyncLinks extends JobLinks {
  done: string;
  events: string;
}

export const syncLinksOf = (tenant: string, jobId: string): SyncLinks => {
  const links = linksOf(tenant, jobId);
  return { ...links, done: `${links.self}/done`, events: `${links.self}/events` };
};

/** 200: the job settled in time. 202: it goes on in the background, tracked like any async job. */
export type SyncAnswer =
  | { statusCode: 200; body: SyncJobResult }
  | { statusCode: 202; body: { jobId: string; mode: 'async-fallback'; reason: SyncFallbackReason; status: string; links: SyncLinks } };

const resultOf = (s: JobState): SyncJobResult => ({
  jobId: s.jobId as string,
  status: s.status as string,
  jobVariables: s.jobVariables,
  workflowVariables: s.workflowVariables,
  output: s.output ?? null,
  lastError: s.lastError,
});

/** A plain job body plus `timeoutMs`: the rest is the submit body, validated by the same DTO. */
export function splitTimeout(body: unknown, field = 'timeoutMs'): { job: unknown; timeoutMs: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { job: body, timeoutMs: DEFAULT_SYNC_TIMEOUT_MS };
  const { timeoutMs, ...job } = body as Record<string, unknown>;
  return { job, timeoutMs: parseTimeoutMs(timeoutMs, field) };
}

export function parseTimeoutMs(value: unknown, field = 'timeoutMs'): number {
  if (value === undefined) return DEFAULT_SYNC_TIMEOUT_MS;
  const max = maxTimeoutMs();
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw ApiError.badRequest(field, `${field} must be an integer from 1 to ${max}`);
  }
  return value;
}

/**
 * Synchronous jobs: submit (mode `sync`), then ask an executor with a free slot to run the job now
 * (`exec.sync.<type>`), answering with the result once every transition is appended. Whenever the
 * sync path cannot serve — no executor online, all busy, the deadline passed, the gateway draining —
 * the answer is a 202 fallback at once and the job runs in the background from the work queue. The
 * scheduler holds a sync job's work item until its deadline (so a job run here costs no work item),
 * hence a fallback before the deadline queues the item itself; one at the deadline leaves it to the
 * scheduler. Nothing ever waits past the caller's timeout.
 */
@Injectable()
export class SyncService implements OnModuleDestroy {
  private readonly logger = new Logger('sync');
  private draining = false;
  private drained!: () => void;
  /** Resolves when the gateway starts shutting down: every waiter falls back at once. */
  private readonly draining$ = new Promise<void>((resolve) => (this.drained = resolve));

  constructor(
    private readonly jobs: JobsService,
    private readonly waiter: JobWaiter,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  /** The first shutdown hook: from here on, sync requests are submitted and answered 202 at once. */
  onModuleDestroy(): void {
    this.draining = true;
    this.drained();
  }

  /** `jobs:run`: the submit body plus `timeoutMs`. */
  run(tenant: unknown, body: unknown, caller: Caller): Promise<SyncAnswer> {
    const { job, timeoutMs } = splitTimeout(body);
    return this.runJob(tenant, job, caller, Date.now() + timeoutMs);
  }

  /**
   * Runs one job body synchronously until `deadline` (epoch ms). A plain job is handed to the executor
   * unrecorded: it appends `submitted` with `started` and the outcome, one commit and one round trip to
   * the log fewer on the caller's path. A job whose idempotency key may name an existing job, or that
   * must wait (locks), is recorded here first. Every fallback records the job before answering.
   */
  async runJob(tenant: unknown, job: unknown, caller: Caller, deadline: number): Promise<SyncAnswer> {
    const prepared = this.jobs.prepareSync(tenant, job, caller, deadline);
    const { tenant: t, jobId, type } = prepared;
    const handedOver = !prepared.keyed && prepared.status === 'QUEUED';
    let position: string | undefined;
    let status: string = prepared.status;
    if (!handedOver) status = (await this.jobs.record(t, prepared, (p) => (position = p))).status;
    const fallback = (reason: SyncFallbackReason, now: string = status): SyncAnswer => ({
      statusCode: 202,
      body: { jobId, mode: 'async-fallback', reason, status: now, links: syncLinksOf(t, jobId) },
    });
    if (!handedOver && position === undefined) return this.await(t, jobId, deadline, true, fallback); // an idempotent repeat: the job exists

    const request: SyncRunRequest = {
      tenant: t,
      jobId,
      correlationId: caller.correlationId,
      causationId: prepared.events[0].eventId,
      events: prepared.events,
      ...(position !== undefined && { position }),
    };
    // Handed over, the executor may have stored the submit already: then this append is a duplicate, which is fine.
    const recorded = async () => {
      if (handedOver) await this.jobs.record(t, prepared);
    };
    const queued = (reason: SyncFallbackReason) =>
      recorded()
        .then(() => this.queue(request, type))
        .then(() => fallback(reason));
    if (this.draining) return queued('gateway-draining');
    const left = deadline - Date.now();
    if (left <= 0) return recorded().then(() => fallback('timeout'));
    let reply: SyncRunReply;
    try {
      const asked = natsRequest(this.nc, subjects.execSync(type), requestCodec.encode(request), { timeout: left });
      const outcome = await Promise.race([asked, this.draining$]);
      // The executor may still answer "busy": queued now, the job never waits for its deadline.
      if (outcome === undefined) return queued('gateway-draining');
      reply = replyCodec.decode(outcome.data);
    } catch (error) {
      if (error instanceof NatsError && error.code === ErrorCode.NoResponders) return queued('no-executor');
      if (error instanceof NatsError && error.code === ErrorCode.Timeout) return recorded().then(() => this.atDeadline(t, jobId, fallback));
      throw error;
    }
    switch (reply.kind) {
      case 'busy':
        return queued('executors-at-capacity');
      case 'error':
        this.logger.warn(`executor failed sync job ${jobId}: ${reply.message}`);
        return queued('executor-error');
      case 'taken':
        await recorded();
        return this.await(t, jobId, deadline, true, fallback);
      case 'done':
        if (isTerminal(reply.result.status as JobState['status'])) return { statusCode: 200, body: reply.result };
        // The work queue's item got there first (or the job timed out and awaits a takeover): wait for it.
        await recorded();
        return this.await(t, jobId, deadline, true, fallback);
    }
  }

  /**
   * Queues the work item the scheduler would dispatch at the deadline (same message id, so JetStream keeps
   * one). Best effort: if it fails, the scheduler's dispatch at the deadline still runs the job.
   */
  private async queue(request: SyncRunRequest, type: string): Promise<void> {
    const { tenant, jobId, causationId, correlationId } = request;
    await publishWorkItem(this.nc, { tenant, jobId, type, causationId, correlationId }).catch((error: Error) =>
      this.logger.warn(`could not queue sync job ${jobId}, the scheduler will at its deadline: ${error.message}`),
    );
  }

  private async await(
    tenant: string,
    jobId: string,
    deadline: number,
    readNow: boolean,
    fallback: (reason: SyncFallbackReason, status?: string) => SyncAnswer,
  ): Promise<SyncAnswer> {
    const state = await this.waiter.wait(tenant, jobId, deadline, { readNow, abort: this.draining$ });
    if (state) return { statusCode: 200, body: resultOf(state) };
    return fallback(this.draining ? 'gateway-draining' : 'timeout');
  }

  /** The request timed out; the job may still have settled just now (its reply lost the race). */
  private async atDeadline(tenant: string, jobId: string, fallback: (reason: SyncFallbackReason, status?: string) => SyncAnswer): Promise<SyncAnswer> {
    const state = await this.waiter.read(tenant, jobId);
    if (isTerminal(state.status) || state.deleted) return { statusCode: 200, body: resultOf(state) };
    return fallback('timeout', state.status as string);
  }
}

/** Re-validates a body to report field paths under a prefix (mixed actions). */
export function validateJobBody(job: unknown, prefix: string): void {
  const result = checkDto(SubmitJobDto, job);
  if (!result.ok) throw ApiError.invalid(result.errors.map((e) => ({ field: `${prefix}${e.field}`, message: e.message })));
}
