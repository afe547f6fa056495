import Database from 'better-sqlite3';
import {
  decideJob,
  decideJobDefinition,
  evolveJob,
  evolveJobDefinition,
  initialJobDefinitionState,
  initialJobState,
  streamIdOf,
  type DomainEvent,
  type EventContext,
  type JobCommand,
  type JobDefinitionCommand,
  type JobDefinitionState,
  type JobState,
} from '@jobstream/domain';
import type { AppendResult, EventStore } from '@jobstream/event-store';
import type { ReadModel } from './read-model/read-model';
import { READ_MODEL_TABLES } from './read-model/schema';

/**
 * Runs commands through the domain's deciders and appends each decision as one commit, as the command side does.
 * The clock moves one second per command so submission times, and hence listing order, are predictable.
 */
export class HistoryWriter {
  private readonly jobs = new Map<string, JobState>();
  private readonly definitions = new Map<string, JobDefinitionState>();
  private now: number;
  private ids = 0;
  /** Position of the last commit: the projector has caught up once its checkpoint equals it. */
  lastPosition: string | null = null;
  commits = 0;
  events = 0;

  constructor(
    private readonly store: EventStore,
    start = '2026-03-01T10:00:00.000Z',
    private readonly idPrefix = 'ev',
  ) {
    this.now = Date.parse(start);
  }

  async job(tenant: string, jobId: string, command: JobCommand): Promise<AppendResult> {
    const streamId = streamIdOf(tenant, 'job', jobId);
    const state = this.jobs.get(streamId) ?? initialJobState;
    const events = decideJob(command, state, this.context(tenant));
    this.jobs.set(streamId, events.reduce(evolveJob, state));
    return this.append(streamId, events, state.version);
  }

  /** A function builds the command from the current state, e.g. to report the run the definition requested. */
  async definition(
    tenant: string,
    definitionId: string,
    command: JobDefinitionCommand | ((state: JobDefinitionState) => JobDefinitionCommand),
  ): Promise<AppendResult> {
    const streamId = streamIdOf(tenant, 'job-definition', definitionId);
    const state = this.definitions.get(streamId) ?? initialJobDefinitionState;
    const events = decideJobDefinition(typeof command === 'function' ? command(state) : command, state, this.context(tenant));
    this.definitions.set(streamId, events.reduce(evolveJobDefinition, state));
    return this.append(streamId, events, state.version);
  }

  private context(tenant: string): EventContext {
    this.now += 1000;
    return {
      tenant,
      now: new Date(this.now),
      newId: () => `${this.idPrefix}-${++this.ids}`,
      actor: 'user:test',
      correlationId: 'corr-test',
      causationId: null,
    };
  }

  private async append(streamId: string, events: DomainEvent[], version: number): Promise<AppendResult> {
    const result = await this.store.append(streamId, events, version === 0 ? 'no_stream' : version - 1);
    this.lastPosition = result.position;
    this.commits++;
    this.events += events.length;
    return result;
  }
}

/** Polls until the read model's checkpoint is the given position (positions are only compared for equality). */
export async function waitForCheckpoint(readModel: ReadModel, position: string | null, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (readModel.checkpoint() !== position) {
    if (Date.now() > deadline) throw new Error(`checkpoint ${readModel.checkpoint()} never reached ${position}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every read-model table, rows in key order, for comparing two projections of the same history. */
export function dumpTables(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(READ_MODEL_TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all()]));
  } finally {
    db.close();
  }
}
