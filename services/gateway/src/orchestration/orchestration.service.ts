import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IDENTIFIER_RULE, isIdentifier, jobIdFor } from '@jobstream/contracts';
import {
  decideOrchestrationDefinition,
  decideOrchestrationRun,
  DomainError,
  evolveOrchestrationDefinition,
  evolveOrchestrationRun,
  initialOrchestrationDefinitionState,
  initialOrchestrationRunState,
  isDomainError,
  orchestrationDefinitionStreamId,
  orchestrationRunStreamId,
  parseOrchestrationDefinitionsXml,
  parseOrchestrationDefinitionXml,
  toReport,
  type DomainEvent,
  type EventContext,
  type OrchestrationDefinitionEvent,
  type OrchestrationDefinitionState,
  type OrchestrationRunCommand,
  type OrchestrationRunEvent,
  type OrchestrationRunReport,
  type OrchestrationRunState,
  type OrchestrationTaskDefinition,
} from '@jobstream/domain';
import { EVENT_STORE, handleCommand, load, type Aggregate, type EventStore } from '@jobstream/event-store';
import { NATS_CONNECTION, OrchestrationIndex, orchestrationKeys } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { ApiError } from '../errors/api-error';
import type { Caller } from '../jobs/caller';

const DEFINITION: Aggregate<OrchestrationDefinitionState> = {
  initial: initialOrchestrationDefinitionState,
  evolve: (state, event) => evolveOrchestrationDefinition(state, event as OrchestrationDefinitionEvent),
};
const RUN: Aggregate<OrchestrationRunState> = {
  initial: initialOrchestrationRunState,
  evolve: (state, event) => evolveOrchestrationRun(state, event as OrchestrationRunEvent),
};

/** Definition ids become a stream token and a KV key: letters, digits, "_" and "-". */
const DEFINITION_ID = /^[A-Za-z0-9_-]{1,200}$/;
const INSTANCE_ID = /^[A-Za-z0-9_-]{1,200}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The scheduler submits a task's job with this idempotency key (scheduler/src/orchestration/task-jobs.ts): the real job id follows from it. */
const taskJobId = (tenant: string, runId: string, index: number, launchId: string): string =>
  jobIdFor(tenant, `orchestration:${runId}:${index}:${launchId}`);

export interface ImportAnswer {
  imported: Array<{ id: string; result: 'created' | 'updated' }>;
}

function requireTenant(tenant: unknown): string {
  if (!isIdentifier(tenant)) throw ApiError.badRequest('tenant', `tenant must be ${IDENTIFIER_RULE}`);
  return tenant;
}

function requireId(value: unknown, field: string, rule: RegExp): string {
  if (typeof value !== 'string' || !rule.test(value)) throw ApiError.badRequest(field, `${field} must be 1 to 200 letters, digits, "_" or "-"`);
  return value;
}

/** The domain lists every problem in details.errors; the API answers with all of them, the first named. */
function asApiError(error: unknown, prefix = ''): unknown {
  if (!isDomainError(error) || error.code !== 'INVALID_ARGUMENT') return error;
  const errors = Array.isArray(error.details.errors) ? (error.details.errors as Array<{ field: string; message: string }>) : [];
  if (errors.length === 0) return error;
  return ApiError.invalid(errors.map(({ field, message }) => ({ field: `${prefix}${field || 'xml'}`, message })));
}

/**
 * Orchestration definitions and instances over REST. Reads fold the aggregate's own stream (strongly
 * consistent, `asOf` supported); lists come from the KV index, then fold each stream.
 */
@Injectable()
export class OrchestrationService implements OnModuleInit {
  private index!: OrchestrationIndex;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onModuleInit(): Promise<void> {
    this.index = await OrchestrationIndex.open(this.nc);
  }

  /** A definition body: JSON as is, or the seed's `dmn:OrchestrationTaskDefinition` XML. */
  parseDefinition(body: unknown, xml: boolean): unknown {
    if (!xml) return body;
    try {
      return parseOrchestrationDefinitionXml(typeof body === 'string' ? body : '');
    } catch (error) {
      throw asApiError(error);
    }
  }

  async listDefinitions(tenantParam: unknown): Promise<OrchestrationTaskDefinition[]> {
    const tenant = requireTenant(tenantParam);
    const ids = await this.index.ids(orchestrationKeys.definitions(tenant));
    const states = await Promise.all(ids.map((id) => load(this.store, orchestrationDefinitionStreamId(tenant, id), DEFINITION)));
    return states.flatMap(({ state }) => (state.exists && state.definition ? [state.definition] : []));
  }

  async getDefinition(tenantParam: unknown, idParam: unknown): Promise<OrchestrationTaskDefinition> {
    const tenant = requireTenant(tenantParam);
    const id = requireId(idParam, 'task-id', DEFINITION_ID);
    const { state } = await load(this.store, orchestrationDefinitionStreamId(tenant, id), DEFINITION);
    if (!state.exists || !state.definition) throw ApiError.notFound(`no orchestration task definition ${id}`);
    return state.definition;
  }

  async createDefinition(tenantParam: unknown, definition: unknown, caller: Caller): Promise<OrchestrationTaskDefinition> {
    const tenant = requireTenant(tenantParam);
    const id = (definition as { id?: unknown } | null)?.id;
    if (typeof id === 'string') requireId(id, 'id', DEFINITION_ID);
    const streamId = orchestrationDefinitionStreamId(tenant, typeof id === 'string' ? id : '_');
    try {
      const handled = await handleCommand(this.store, streamId, DEFINITION, (state) =>
        decideOrchestrationDefinition({ type: 'create', definition }, state, this.context(tenant, caller)),
      );
      const created = handled.state.definition as OrchestrationTaskDefinition;
      await this.index.put(orchestrationKeys.definition(tenant, created.id));
      return created;
    } catch (error) {
      throw asApiError(error);
    }
  }

  async updateDefinition(tenantParam: unknown, idParam: unknown, definition: unknown, caller: Caller): Promise<OrchestrationTaskDefinition> {
    const tenant = requireTenant(tenantParam);
    const id = requireId(idParam, 'task-id', DEFINITION_ID);
    try {
      const handled = await handleCommand(this.store, orchestrationDefinitionStreamId(tenant, id), DEFINITION, (state) =>
        decideOrchestrationDefinition({ type: 'update', id, definition }, state, this.context(tenant, caller)),
      );
      return handled.state.definition as OrchestrationTaskDefinition;
    } catch (error) {
      throw asApiError(error);
    }
  }

  async deleteDefinition(tenantParam: unknown, idParam: unknown, caller: Caller): Promise<void> {
    const tenant = requireTenant(tenantParam);
    const id = requireId(idParam, 'task-id', DEFINITION_ID);
    await handleCommand(this.store, orchestrationDefinitionStreamId(tenant, id), DEFINITION, (state) =>
      decideOrchestrationDefinition({ type: 'delete', id }, state, this.context(tenant, caller)),
    );
    await this.index.remove(orchestrationKeys.definition(tenant, id));
  }

  /**
   * Bulk import: every definition is validated before anything is written; existing ids are
   * updated (PUT semantics), new ones created. XML takes the `dmn:OrchestrationTaskDefinitions`
   * wrapper or a single definition; JSON takes a list.
   */
  async importDefinitions(tenantParam: unknown, body: unknown, xml: boolean, caller: Caller): Promise<ImportAnswer> {
    const tenant = requireTenant(tenantParam);
    let definitions: unknown[];
    try {
      definitions = xml ? parseOrchestrationDefinitionsXml(typeof body === 'string' ? body : '') : (body as unknown[]);
    } catch (error) {
      throw asApiError(error);
    }
    if (!Array.isArray(definitions) || definitions.length === 0) throw ApiError.badRequest('(body)', 'must be a non-empty list of definitions');
    const ids = new Set<string>();
    definitions.forEach((definition, i) => {
      try {
        decideOrchestrationDefinition({ type: 'create', definition }, initialOrchestrationDefinitionState, this.context(tenant, caller));
      } catch (error) {
        throw asApiError(error, `definitions[${i}].`);
      }
      const id = requireId((definition as { id: string }).id, `definitions[${i}].id`, DEFINITION_ID);
      if (ids.has(id)) throw ApiError.badRequest(`definitions[${i}].id`, `definitions[${i}].id ${id} appears twice`);
      ids.add(id);
    });
    const imported: ImportAnswer['imported'] = [];
    for (const definition of definitions as OrchestrationTaskDefinition[]) {
      const streamId = orchestrationDefinitionStreamId(tenant, definition.id);
      const handled = await handleCommand(this.store, streamId, DEFINITION, (state) =>
        decideOrchestrationDefinition(
          state.exists ? { type: 'update', id: definition.id, definition } : { type: 'create', definition },
          state,
          this.context(tenant, caller),
        ),
      );
      await this.index.put(orchestrationKeys.definition(tenant, definition.id));
      imported.push({ id: definition.id, result: handled.events[0].type === 'orchestration-definition.created' ? 'created' : 'updated' });
    }
    return { imported };
  }

  /** Starts an instance; the id is returned at once, the scheduler drives it from the log. */
  async launch(tenantParam: unknown, idParam: unknown, caller: Caller): Promise<string> {
    const tenant = requireTenant(tenantParam);
    const id = requireId(idParam, 'task-id', DEFINITION_ID);
    const { state: definition } = await load(this.store, orchestrationDefinitionStreamId(tenant, id), DEFINITION);
    if (!definition.exists) throw ApiError.notFound(`no orchestration task definition ${id}`);
    const runId = randomUUID();
    const events = decideOrchestrationRun({ type: 'start', runId, definition }, initialOrchestrationRunState, this.context(tenant, caller));
    await this.store.append(orchestrationRunStreamId(tenant, runId), events, 'no_stream');
    await this.index.put(orchestrationKeys.run(tenant, id, runId));
    return runId;
  }

  async listInstances(tenantParam: unknown, idParam: unknown): Promise<OrchestrationRunReport[]> {
    const tenant = requireTenant(tenantParam);
    const id = requireId(idParam, 'task-id', DEFINITION_ID);
    const runIds = await this.index.ids(orchestrationKeys.runs(tenant, id));
    if (runIds.length === 0) await this.getDefinition(tenant, id);
    const states = await Promise.all(runIds.map((runId) => load(this.store, orchestrationRunStreamId(tenant, runId), RUN)));
    return states
      .filter(({ state }) => state.exists && !state.deleted && state.definitionId === id)
      .map(({ state }) => this.report(tenant, state))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  async getInstance(tenantParam: unknown, idParam: unknown, runIdParam: unknown, asOfParam?: unknown): Promise<OrchestrationRunReport> {
    const tenant = requireTenant(tenantParam);
    const id = requireId(idParam, 'task-id', DEFINITION_ID);
    const runId = requireId(runIdParam, 'instance-id', INSTANCE_ID);
    const asOf = asOfParam === undefined ? undefined : parseAsOf(asOfParam);
    const recorded = await this.store.read(orchestrationRunStreamId(tenant, runId));
    const state = recorded
      .map((r) => r.event as OrchestrationRunEvent)
      .filter((event) => asOf === undefined || Date.parse(event.occurredAt) <= asOf)
      .reduce(evolveOrchestrationRun, initialOrchestrationRunState);
    if (!state.exists || state.deleted || state.definitionId !== id) {
      throw ApiError.notFound(`no instance ${runId} of orchestration task ${id}${asOf === undefined ? '' : ' at that time'}`);
    }
    return this.report(tenant, state);
  }

  async cancelInstance(tenant: unknown, id: unknown, runId: unknown, caller: Caller): Promise<void> {
    await this.instanceCommand(tenant, id, runId, { type: 'cancel' }, caller);
  }

  async deleteInstance(tenantParam: unknown, idParam: unknown, runIdParam: unknown, caller: Caller): Promise<void> {
    await this.instanceCommand(tenantParam, idParam, runIdParam, { type: 'delete' }, caller);
    await this.index.remove(orchestrationKeys.run(tenantParam as string, idParam as string, runIdParam as string));
  }

  private async instanceCommand(tenantParam: unknown, idParam: unknown, runIdParam: unknown, command: OrchestrationRunCommand, caller: Caller): Promise<void> {
    const tenant = requireTenant(tenantParam);
    const id = requireId(idParam, 'task-id', DEFINITION_ID);
    const runId = requireId(runIdParam, 'instance-id', INSTANCE_ID);
    await handleCommand(this.store, orchestrationRunStreamId(tenant, runId), RUN, (state): DomainEvent[] => {
      if (state.exists && state.definitionId !== id) throw new DomainError('NOT_FOUND', `no instance ${runId} of orchestration task ${id}`, { runId });
      return decideOrchestrationRun(command, state, this.context(tenant, caller));
    });
  }

  /** The run records the id it launched under; the job itself was submitted under the derived id shown here. */
  private report(tenant: string, state: OrchestrationRunState): OrchestrationRunReport {
    const report = toReport(state);
    return {
      ...report,
      tasks: report.tasks.map((task) => ({ ...task, jobId: task.jobId === null ? null : taskJobId(tenant, report.instanceId, task.index, task.jobId) })),
    };
  }

  private context(tenant: string, caller: Caller): EventContext {
    return { tenant, now: new Date(), newId: randomUUID, ...caller };
  }
}

function parseAsOf(value: unknown): number {
  const time = typeof value === 'string' && ISO_DATE_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw ApiError.badRequest('asOf', 'asOf must be an ISO-8601 date-time with a zone, e.g. 2026-01-02T03:04:05Z');
  return time;
}
