import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  checkDto,
  isIdentifier,
  IDENTIFIER_RULE,
  jobIdFor,
  ListJobsQueryDto,
  MAX_BATCH_SIZE,
  PROJECTOR_QUERIES,
  SubmitBatchDto,
  SubmitJobDto,
  validateDto,
  type FieldError,
  type JobHistory,
  type JobPage,
  type JobView,
} from '@jobstream/contracts';
import {
  decideJob,
  defaultRetryPolicy,
  DomainError,
  evolveJob,
  foldJob,
  initialJobState,
  isDomainError,
  streamIdOf,
  type DomainEvent,
  type EventContext,
  type JobCommand,
  type JobEvent,
  type JobState,
  type JobStatus,
  type SubmitJob,
} from '@jobstream/domain';
import { ConcurrencyError, EVENT_STORE, handleCommand, load, type Aggregate, type EventStore } from '@jobstream/event-store';
import { NATS_CONNECTION, publishTransition, rpc, RpcError, subjects } from '@jobstream/messaging';
import { ErrorCode, JSONCodec, NatsError, type NatsConnection } from 'nats';
import { ApiError } from '../errors/api-error';
import type { Caller } from './caller';
import { CancelJobBody } from './job-requests.dto';
import { toHistory, toJobView } from './job-view';
import { mapConcurrent } from './map-concurrent';

/** Appends in flight per batch: enough to keep JetStream's pipeline full, few enough not to swamp it. */
const BATCH_CONCURRENCY = 256;
const JOBS_LIST = subjects.query(PROJECTOR_QUERIES.jobsList);
const LIST_TIMEOUT_MS = 5_000;
// Job ids become a stream id token: no dots, wildcards or whitespace. Generated ones are UUIDs.
const JOB_ID = /^[A-Za-z0-9_-]{1,200}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (s, e) => evolveJob(s, e as JobEvent) };
const notice = JSONCodec<{ reason?: string; correlationId: string }>();

export interface JobLinks {
  self: string;
  history: string;
  cancel: string;
}

export interface SubmitAnswer {
  jobId: string;
  status: JobStatus;
  /** True when the idempotency key was already used: the answer describes the first job. */
  duplicate: boolean;
  /** Present (true) only for a duplicate of a job that was deleted since: the key stays spent. */
  deleted?: true;
  links: JobLinks;
}

export interface BatchAnswer {
  jobs: Array<Pick<SubmitAnswer, 'jobId' | 'status' | 'duplicate' | 'deleted'>>;
}

export interface CommandAnswer {
  jobId: string;
  status: JobStatus;
  cancelRequested: boolean;
  attempt: number;
}

interface PreparedSubmit {
  jobId: string;
  streamId: string;
  events: JobEvent[];
}

/** A sync submit before its append: `keyed` (an idempotency key: the job may exist) and `status` decide who appends it. */
export interface SyncSubmit extends PreparedSubmit {
  tenant: string;
  type: string;
  keyed: boolean;
  status: JobStatus;
}

export const linksOf = (tenant: string, jobId: string): JobLinks => {
  const self = `/${tenant}/api/jobs/${jobId}`;
  return { self, history: `${self}/history`, cancel: `${self}/~cancel` };
};

export function requireTenant(tenant: unknown): string {
  if (!isIdentifier(tenant)) throw ApiError.badRequest('tenant', `tenant must be ${IDENTIFIER_RULE}`);
  return tenant;
}

function requireJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
    throw ApiError.badRequest('jobId', 'jobId must be 1 to 200 letters, digits, "-" or "_"');
  }
  return jobId;
}

/** A retry takes no input; anything sent is rejected, as unknown fields are everywhere else. */
function requireNoFields(body: unknown): void {
  if (body === undefined || body === null) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw ApiError.badRequest('(body)', 'must be a JSON object');
  const [field] = Object.keys(body);
  if (field !== undefined) throw ApiError.badRequest(field, `property ${field} should not exist`);
}

function validated<T extends object>(cls: new () => T, plain: unknown): T {
  const result = validateDto(cls, plain);
  if (!result.ok) throw ApiError.invalid(result.errors);
  return result.value;
}

/** The same rules and errors as validated(), for bodies used as sent: no class instances are built. */
function requireValid(cls: new () => object, plain: unknown): void {
  const result = checkDto(cls, plain);
  if (!result.ok) throw ApiError.invalid(result.errors);
}

/** Domain guards name the offending value by its key; in a submit that key is a field of the request. */
function submitFieldOf(error: DomainError, command: SubmitJob): string {
  if (typeof error.details.field === 'string') return error.details.field;
  if ('lock' in error.details) {
    const index = (command.locks ?? []).findIndex((lock) => lock === error.details.lock);
    return index >= 0 ? `locks[${index}]` : 'locks';
  }
  return Object.keys(error.details)[0] ?? '(body)';
}

/**
 * The job commands behind the REST routes and the NATS submit. Submits go straight to an append with
 * expected revision `no_stream`; every other command is load-decide-append with conflict retries.
 */
@Injectable()
export class JobsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async submit(tenantParam: unknown, body: unknown, caller: Caller): Promise<SubmitAnswer> {
    const tenant = requireTenant(tenantParam);
    requireValid(SubmitJobDto, body);
    // The raw body, not the transformed instance, becomes the event: payloads stay exactly as sent.
    return this.create(tenant, this.prepareSubmit(tenant, body as SubmitJobDto, this.context(tenant, caller), ''));
  }

  /**
   * A job in mode sync whose caller waits until `deadline` (epoch ms), validated and decided but not appended:
   * the sync path either records it at once (record) or hands it to the executor that runs it.
   */
  prepareSync(tenantParam: unknown, body: unknown, caller: Caller, deadline: number): SyncSubmit {
    const tenant = requireTenant(tenantParam);
    requireValid(SubmitJobDto, body);
    const mode = { mode: 'sync' as const, syncDeadline: new Date(deadline).toISOString() };
    const prepared = this.prepareSubmit(tenant, body as SubmitJobDto, this.context(tenant, caller), '', mode);
    const state = prepared.events.reduce(evolveJob, initialJobState);
    return { ...prepared, tenant, type: (body as SubmitJobDto).type, keyed: (body as SubmitJobDto).idempotencyKey !== undefined, status: state.status as JobStatus };
  }

  /** Appends a prepared submit; `appended` gets the position when this call created the job (not for a duplicate). */
  record(tenant: string, prepared: PreparedSubmit, appended?: (position: string) => void): Promise<SubmitAnswer> {
    return this.create(tenant, prepared, appended);
  }

  /** Every job is validated and decided before the first append: one bad job rejects the batch untouched. */
  async submitBatch(tenantParam: unknown, body: unknown, caller: Caller): Promise<BatchAnswer> {
    const tenant = requireTenant(tenantParam);
    requireValid(SubmitBatchDto, body);
    const jobs = (body as SubmitBatchDto).jobs;
    if (jobs.length === 0) throw ApiError.badRequest('jobs', `jobs must hold 1 to ${MAX_BATCH_SIZE} jobs`);
    const ctx = this.context(tenant, caller);
    const prepared = jobs.map((job, i) => this.prepareSubmit(tenant, job, ctx, `jobs[${i}].`));
    const answers = await mapConcurrent(prepared, BATCH_CONCURRENCY, (p) => this.create(tenant, p));
    return { jobs: answers.map(({ jobId, status, duplicate, deleted }) => ({ jobId, status, duplicate, ...(deleted && { deleted }) })) };
  }

  /** Strongly consistent: folds the job's own stream, optionally only up to `asOf`. */
  async get(tenantParam: unknown, jobIdParam: unknown, asOfParam?: unknown): Promise<JobView> {
    const tenant = requireTenant(tenantParam);
    const jobId = requireJobId(jobIdParam);
    const asOf = asOfParam === undefined ? undefined : parseAsOf(asOfParam);
    const recorded = await this.store.read(streamIdOf(tenant, 'job', jobId));
    const events = recorded
      .map((r) => r.event as JobEvent)
      .filter((event) => asOf === undefined || Date.parse(event.occurredAt) <= asOf);
    const state = foldJob(events);
    if (!state.exists || state.deleted) throw ApiError.notFound(`no job ${jobId}${asOf === undefined ? '' : ' at that time'}`);
    return toJobView(state);
  }

  /** A deleted job's history stays readable: deletion hides the job, the audit trail remains. */
  async history(tenantParam: unknown, jobIdParam: unknown): Promise<JobHistory> {
    const tenant = requireTenant(tenantParam);
    const jobId = requireJobId(jobIdParam);
    const recorded = await this.store.read(streamIdOf(tenant, 'job', jobId));
    if (recorded.length === 0) throw ApiError.notFound(`no job ${jobId}`);
    return toHistory(jobId, recorded);
  }

  /** The list is the projector's read model (eventually consistent), asked over NATS. */
  async list(tenantParam: unknown, query: Record<string, unknown>): Promise<JobPage> {
    const tenant = requireTenant(tenantParam);
    if ('tenant' in query) throw ApiError.badRequest('tenant', 'the tenant is the first path segment, not a query parameter');
    const limit = query.limit;
    // Checked here too so a bad filter is a 400 naming it even while the projector is down.
    const filters = validated(ListJobsQueryDto, {
      ...query,
      tenant,
      ...(typeof limit === 'string' && /^\d+$/.test(limit) && { limit: Number(limit) }),
    });
    try {
      return await rpc<JobPage>(this.nc, JOBS_LIST, filters, LIST_TIMEOUT_MS);
    } catch (error) {
      throw projectorFailure(error);
    }
  }

  async cancel(tenantParam: unknown, jobIdParam: unknown, body: unknown, caller: Caller): Promise<CommandAnswer> {
    const tenant = requireTenant(tenantParam);
    const jobId = requireJobId(jobIdParam);
    const { reason } = validated(CancelJobBody, body ?? {});
    const handled = await this.command(tenant, jobId, caller, { type: 'requestCancel', ...(reason !== undefined && { reason }) });
    // A running handler is only stopped by its executor; the notice spares it waiting for its next check.
    if (handled.state.status === 'RUNNING' && handled.events.some((e) => e.type === 'job.cancel-requested')) {
      this.nc.publish(subjects.cancel(tenant, jobId), notice.encode({ ...(reason !== undefined && { reason }), correlationId: caller.correlationId }));
    }
    return answerOf(handled.state);
  }

  async retry(tenantParam: unknown, jobIdParam: unknown, body: unknown, caller: Caller): Promise<CommandAnswer> {
    const tenant = requireTenant(tenantParam);
    const jobId = requireJobId(jobIdParam);
    requireNoFields(body);
    return answerOf((await this.command(tenant, jobId, caller, { type: 'retry' })).state);
  }

  /** Appends job.deleted; the stream stays for audit, and the job then answers 404. */
  async delete(tenantParam: unknown, jobIdParam: unknown, caller: Caller): Promise<void> {
    const tenant = requireTenant(tenantParam);
    const jobId = requireJobId(jobIdParam);
    await this.command(tenant, jobId, caller, { type: 'delete' });
  }

  private context(tenant: string, caller: Caller): EventContext {
    return { tenant, now: new Date(), newId: randomUUID, ...caller };
  }

  private prepareSubmit(
    tenant: string,
    job: SubmitJobDto,
    ctx: EventContext,
    fieldPrefix: string,
    mode: Pick<SubmitJob, 'mode' | 'syncDeadline'> = { mode: 'async' },
  ): PreparedSubmit {
    const jobId = jobIdFor(tenant, job.idempotencyKey);
    const command: SubmitJob = {
      type: 'submit',
      jobId,
      jobType: job.type,
      payload: job.payload,
      ...mode,
      ...(job.priority !== undefined && { priority: job.priority }),
      ...(job.idempotencyKey !== undefined && { idempotencyKey: job.idempotencyKey }),
      ...(job.timeouts !== undefined && { timeouts: job.timeouts }),
      ...(job.locks !== undefined && { locks: job.locks }),
      ...(job.retry !== undefined && {
        retry: {
          maxAttempts: job.retry.maxAttempts,
          backoff: job.retry.backoff ?? defaultRetryPolicy.backoff,
          jitter: job.retry.jitter ?? defaultRetryPolicy.jitter,
          nonRetryableErrors: job.retry.nonRetryableErrors ?? defaultRetryPolicy.nonRetryableErrors,
        },
      }),
      ...(job.workflowVariables !== undefined && { workflowVariables: job.workflowVariables }),
    };
    try {
      return { jobId, streamId: streamIdOf(tenant, 'job', jobId), events: decideJob(command, initialJobState, ctx) };
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'INVALID_ARGUMENT') throw error;
      const field = `${fieldPrefix}${submitFieldOf(error, command)}`;
      throw ApiError.invalid([{ field, message: error.message } satisfies FieldError]);
    }
  }

  /** The first append wins the stream; a loser of the race (same idempotency key) answers with the winner's job. */
  private async create(tenant: string, p: PreparedSubmit, appended?: (position: string) => void): Promise<SubmitAnswer> {
    try {
      const { position } = await this.store.append(p.streamId, p.events, 'no_stream');
      appended?.(position);
      const state = p.events.reduce(evolveJob, initialJobState);
      this.notify(tenant, p.jobId, p.events, state, p.events.length - 1);
      return { jobId: p.jobId, status: state.status as JobStatus, duplicate: false, links: linksOf(tenant, p.jobId) };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const { state } = await load(this.store, p.streamId, JOB);
      if (!state.exists) throw error;
      return {
        jobId: p.jobId,
        status: state.status as JobStatus,
        duplicate: true,
        ...(state.deleted && { deleted: true as const }),
        links: linksOf(tenant, p.jobId),
      };
    }
  }

  private command(tenant: string, jobId: string, caller: Caller, command: JobCommand) {
    // A fresh clock per attempt: a decision retried after a conflict is made, and stamped, now.
    const decide = (state: JobState): DomainEvent[] => decideJob(command, state, this.context(tenant, caller));
    return handleCommand(this.store, streamIdOf(tenant, 'job', jobId), JOB, decide).then((handled) => {
      this.notify(tenant, jobId, handled.events, handled.state, handled.revision);
      return handled;
    });
  }

  /** Live transition hint for waiters and SSE streams (see gateway/src/live). */
  private notify(tenant: string, jobId: string, events: DomainEvent[], state: JobState, revision: number): void {
    const last = events[events.length - 1];
    if (last) publishTransition(this.nc, tenant, { jobId, type: last.type, revision, status: state.status });
  }
}

const answerOf = (s: JobState): CommandAnswer => ({
  jobId: s.jobId as string,
  status: s.status as JobStatus,
  cancelRequested: s.cancelRequested,
  attempt: s.attempt,
});

function parseAsOf(value: unknown): number {
  const time = typeof value === 'string' && ISO_DATE_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw ApiError.badRequest('asOf', 'asOf must be an ISO-8601 date-time with a zone, e.g. 2026-01-02T03:04:05Z');
  return time;
}

/** No responder or no answer means the read model is unavailable, not that the request was wrong. */
function projectorFailure(error: unknown): ApiError {
  if (error instanceof NatsError && (error.code === ErrorCode.NoResponders || error.code === ErrorCode.Timeout)) {
    const why = error.code === ErrorCode.NoResponders ? 'no projector is running' : 'the projector did not answer in time';
    return new ApiError(503, `the job list is unavailable: ${why}`);
  }
  if (error instanceof RpcError) {
    // The projector rejects a request as RpcException({status, field, message}), e.g. a cursor it never issued.
    const payload = (error.payload ?? {}) as { status?: unknown; statusCode?: unknown; field?: unknown };
    const status = payload.status ?? payload.statusCode;
    if (status === 400 && typeof payload.field === 'string') return ApiError.badRequest(payload.field, error.message);
    if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError(status, error.message);
    return new ApiError(502, `the projector failed: ${error.message}`);
  }
  return new ApiError(503, 'the job list is unavailable: the projector could not be reached');
}
