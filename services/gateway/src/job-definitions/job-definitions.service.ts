import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import {
  IDENTIFIER_RULE,
  isIdentifier,
  JobDefinitionDto,
  PROJECTOR_QUERIES,
  validateDto,
  type DefinitionLinks,
  type DefinitionSummary,
  type JobDefinitionView,
  type StartDefinitionRunAnswer,
} from '@jobstream/contracts';
import {
  decideJobDefinition,
  defaultRetryPolicy,
  evolveJobDefinition,
  foldJobDefinition,
  initialJobDefinitionState,
  streamIdOf,
  type EventContext,
  type JobDefinitionCommand,
  type JobDefinitionEvent,
  type JobDefinitionInput,
  type JobDefinitionSchedule,
  type JobDefinitionState,
} from '@jobstream/domain';
import { EVENT_STORE, handleCommand, type Aggregate, type EventStore } from '@jobstream/event-store';
import { DEFINITION_SUBJECTS, NATS_CONNECTION, rpc, RpcError, subjects } from '@jobstream/messaging';
import { ErrorCode, NatsError, type NatsConnection } from 'nats';
import { ApiError } from '../errors/api-error';
import type { Caller } from '../jobs/caller';
import { definitionLinksOf, toDefinitionView } from './job-definition-view';

const DEFINITION: Aggregate<JobDefinitionState> = {
  initial: initialJobDefinitionState,
  evolve: (s, e) => evolveJobDefinition(s, e as JobDefinitionEvent),
};
const DEFINITIONS_LIST = subjects.query(PROJECTOR_QUERIES.definitionsList);
const RPC_TIMEOUT_MS = 5_000;
// Definition ids become a stream id token, like job ids.
const DEFINITION_ID = /^[A-Za-z0-9_-]{1,200}$/;

export interface StartAnswer extends StartDefinitionRunAnswer {
  status: 'Queued';
  links: DefinitionLinks & { job: string };
}

function requireTenant(tenant: unknown): string {
  if (!isIdentifier(tenant)) throw ApiError.badRequest('tenant', `tenant must be ${IDENTIFIER_RULE}`);
  return tenant;
}

function requireDefinitionId(id: unknown): string {
  if (typeof id !== 'string' || !DEFINITION_ID.test(id)) {
    throw ApiError.badRequest('definitionId', 'definitionId must be 1 to 200 letters, digits, "-" or "_"');
  }
  return id;
}

/** The edit form's body, checked by the shared DTO and, for cron, by the parser the timers use. */
function definitionInput(body: unknown, currentEnabled: boolean | null): Omit<JobDefinitionInput, 'enabled'> & { enabled: boolean } {
  const result = validateDto(JobDefinitionDto, body);
  if (!result.ok) throw ApiError.invalid(result.errors);
  const dto = result.value;
  // The raw object, not the transformed instance, becomes the run payload: configuration stays exactly as sent.
  const configuration = (body as { configuration?: Record<string, unknown> }).configuration ?? {};
  return {
    name: dto.name,
    description: dto.description ?? '',
    jobType: dto.type,
    configuration,
    schedule: scheduleOf(dto),
    // Seed JES: a new job is Disabled unless "Job is enabled" is ticked; an edit without it keeps the flag.
    enabled: dto.enabled ?? currentEnabled ?? false,
    ...(dto.retry !== undefined && {
      retry: {
        maxAttempts: dto.retry.maxAttempts,
        backoff: dto.retry.backoff ?? defaultRetryPolicy.backoff,
        jitter: dto.retry.jitter ?? defaultRetryPolicy.jitter,
        nonRetryableErrors: dto.retry.nonRetryableErrors ?? defaultRetryPolicy.nonRetryableErrors,
      },
    }),
  };
}

function scheduleOf(dto: JobDefinitionDto): JobDefinitionSchedule | null {
  const s = dto.schedule;
  if (s === undefined || s === null) return null;
  switch (s.kind) {
    case 'cron': {
      const timeZone = s.timeZone ?? 'UTC';
      try {
        new Cron(s.expression as string, { paused: true, timezone: timeZone }).stop();
      } catch (error) {
        throw ApiError.badRequest('schedule.expression', `invalid cron expression: ${(error as Error).message}`);
      }
      return { kind: 'cron', expression: s.expression as string, timeZone };
    }
    case 'interval':
      return { kind: 'interval', everyMs: s.everyMs as number };
    case 'once':
      return { kind: 'once', at: s.at as string };
  }
}

/** No responder or no answer means a service is unavailable, not that the request was wrong. */
function remoteFailure(error: unknown, what: string): ApiError {
  if (error instanceof NatsError && (error.code === ErrorCode.NoResponders || error.code === ErrorCode.Timeout)) {
    const why = error.code === ErrorCode.NoResponders ? 'no instance is running' : 'it did not answer in time';
    return new ApiError(503, `${what} is unavailable: ${why}`);
  }
  if (error instanceof RpcError) {
    const payload = (error.payload ?? {}) as { status?: unknown; field?: unknown };
    if (payload.status === 400 && typeof payload.field === 'string') return ApiError.badRequest(payload.field, error.message);
    if (typeof payload.status === 'number' && payload.status >= 400 && payload.status < 500) return new ApiError(payload.status, error.message);
    return new ApiError(502, `${what} failed: ${error.message}`);
  }
  return new ApiError(503, `${what} could not be reached`);
}

/**
 * Job definitions: edits and actions are load-decide-append on the definition's own stream; a GET
 * folds that stream (read-your-writes); the list is the projector's read model. Starting a run goes
 * through the scheduler's `definitions.start`, the path the schedule timers take too.
 */
@Injectable()
export class JobDefinitionsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async create(tenantParam: unknown, body: unknown, caller: Caller): Promise<JobDefinitionView> {
    const tenant = requireTenant(tenantParam);
    const input = definitionInput(body, null);
    const definitionId = randomUUID();
    return (await this.command(tenant, definitionId, caller, () => ({ type: 'create', definitionId, ...input }))).view;
  }

  async replace(tenantParam: unknown, idParam: unknown, body: unknown, caller: Caller): Promise<JobDefinitionView> {
    const tenant = requireTenant(tenantParam);
    const definitionId = requireDefinitionId(idParam);
    definitionInput(body, null);
    return (await this.command(tenant, definitionId, caller, (s) => ({ type: 'update', ...definitionInput(body, s.enabled) }))).view;
  }

  async get(tenantParam: unknown, idParam: unknown): Promise<JobDefinitionView> {
    const tenant = requireTenant(tenantParam);
    const definitionId = requireDefinitionId(idParam);
    const recorded = await this.store.read(streamIdOf(tenant, 'job-definition', definitionId));
    const state = foldJobDefinition(recorded.map((r) => r.event as JobDefinitionEvent));
    if (!state.exists || state.deleted) throw ApiError.notFound(`no job definition ${definitionId}`);
    return toDefinitionView(state);
  }

  async list(tenantParam: unknown): Promise<{ items: DefinitionSummary[] }> {
    const tenant = requireTenant(tenantParam);
    try {
      return { items: await rpc<DefinitionSummary[]>(this.nc, DEFINITIONS_LIST, { tenant }, RPC_TIMEOUT_MS) };
    } catch (error) {
      throw remoteFailure(error, 'the job definition list');
    }
  }

  async delete(tenantParam: unknown, idParam: unknown, caller: Caller): Promise<void> {
    await this.action(tenantParam, idParam, caller, { type: 'delete' });
  }

  async action(tenantParam: unknown, idParam: unknown, caller: Caller, command: JobDefinitionCommand): Promise<JobDefinitionView> {
    const tenant = requireTenant(tenantParam);
    const definitionId = requireDefinitionId(idParam);
    return (await this.command(tenant, definitionId, caller, () => command)).view;
  }

  async start(tenantParam: unknown, idParam: unknown, caller: Caller): Promise<StartAnswer> {
    const tenant = requireTenant(tenantParam);
    const definitionId = requireDefinitionId(idParam);
    let answer: StartDefinitionRunAnswer;
    try {
      answer = await rpc<StartDefinitionRunAnswer>(
        this.nc,
        DEFINITION_SUBJECTS.start,
        { tenant, definitionId, trigger: 'manual', ...caller },
        RPC_TIMEOUT_MS,
      );
    } catch (error) {
      throw remoteFailure(error, 'starting a job definition (scheduler)');
    }
    return {
      ...answer,
      status: 'Queued',
      links: { ...definitionLinksOf(tenant, definitionId), job: `/${tenant}/api/jobs/${answer.jobId}` },
    };
  }

  private async command(tenant: string, definitionId: string, caller: Caller, commandOf: (s: JobDefinitionState) => JobDefinitionCommand) {
    const ctx = (): EventContext => ({ tenant, now: new Date(), newId: randomUUID, ...caller });
    const handled = await handleCommand(this.store, streamIdOf(tenant, 'job-definition', definitionId), DEFINITION, (s) =>
      decideJobDefinition(commandOf(s), s, ctx()),
    );
    return { ...handled, view: toDefinitionView(handled.state) };
  }
}
