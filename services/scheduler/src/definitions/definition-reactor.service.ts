import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  decideJob,
  decideJobDefinition,
  evolveJob,
  foldJobDefinition,
  initialJobState,
  isDomainError,
  parseStreamId,
  streamIdOf,
  type DomainEvent,
  type EventContext,
  type EventMetadata,
  type JobState,
  type JobDefinitionCommand,
  type JobDefinitionEvent,
  type JobEvent,
  type JobRunResult,
} from '@jobstream/domain';
import { ConcurrencyError, EVENT_STORE, handleCommand, type Aggregate, type CommittedBatch, type EventStore, type Subscription } from '@jobstream/event-store';
import { CheckpointStore, NATS_CONNECTION, subjects } from '@jobstream/messaging';
import { randomUUID } from 'node:crypto';
import { JSONCodec, type NatsConnection } from 'nats';
import { DefinitionRunsService } from './definition-runs.service';

const ACTOR = 'service:scheduler';
const MAX_ATTEMPTS = 5;
/** Commits that need no reaction move the checkpoint at most this often: replaying them is harmless. */
const IDLE_CHECKPOINT_MS = 1_000;
const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (s, e) => evolveJob(s, e as JobEvent) };
const notice = JSONCodec<{ reason?: string; correlationId: string }>();

/** The result a definition shows for a job event, or null while the job may still run (TIMED_OUT, a failure being retried). */
export function runResultOf(event: DomainEvent, sameCommit: readonly DomainEvent[]): JobRunResult | null {
  switch (event.type) {
    case 'job.completed':
      return 'COMPLETED';
    case 'job.cancelled':
      return 'CANCELLED';
    case 'job.failed':
      return sameCommit.some((e) => e.type === 'job.retried') ? null : 'FAILED';
    default:
      return null;
  }
}

/**
 * Keeps job definitions in step with the jobs of their runs, from the event log: `job.started`
 * becomes `run-started` (active on host), a terminal job event becomes `run-finished` (last run
 * result), a `run-requested` whose job is missing gets it submitted, and `stop-requested` cancels
 * the run's job. Every reaction goes through a decider, so replaying commits after a restart
 * (the checkpoint trails a little) only meets refusals, which are no-ops here.
 */
@Injectable()
export class DefinitionReactorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('definition-reactor');
  private subscription?: Subscription;
  private checkpoints?: CheckpointStore;
  /** Job stream id → its definition id, or null for a job no definition started; dropped when the job ends. */
  private readonly owners = new Map<string, string | null>();
  private lastPosition: string | null = null;
  private lastSavedAt = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly runs: DefinitionRunsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.checkpoints = await CheckpointStore.open(this.nc, 'definition-reactor');
    const fromPosition = await this.checkpoints.load();
    this.subscription = await this.store.subscribe({ fromPosition, aggregates: ['job', 'job-definition'], handler: (batch) => this.react(batch) });
    this.logger.log(`reacting from ${fromPosition ?? 'the start of the log'}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
    if (this.lastPosition !== null) this.checkpoints?.save(this.lastPosition);
    await this.checkpoints?.flush();
  }

  private async react(batch: CommittedBatch): Promise<void> {
    const events = batch.events.map((r) => r.event);
    let reacted = false;
    for (const event of events) {
      if (event.type.startsWith('job.')) reacted = (await this.onJobEvent(event, events)) || reacted;
      else if (event.type === 'job-definition.run-requested') {
        await this.onRunRequested(event as JobDefinitionEvent);
        reacted = true;
      } else if (event.type === 'job-definition.stop-requested') {
        await this.onStopRequested(event as JobDefinitionEvent);
        reacted = true;
      }
    }
    // Most commits are jobs no definition started; a KV put for each would double the scheduler's NATS traffic.
    this.lastPosition = batch.position;
    const now = Date.now();
    if (reacted || now - this.lastSavedAt >= IDLE_CHECKPOINT_MS) {
      this.checkpoints?.save(batch.position);
      this.lastSavedAt = now;
    }
  }

  /** True when the job belongs to a definition and its event was recorded there. */
  private async onJobEvent(event: DomainEvent, sameCommit: readonly DomainEvent[]): Promise<boolean> {
    if (event.type === 'job.submitted') {
      this.owners.set(event.streamId, (event.data as { definitionId?: string }).definitionId ?? null);
      return false;
    }
    const result = runResultOf(event, sameCommit);
    if (event.type !== 'job.started' && result === null) return false;
    const definitionId = await this.ownerOf(event.streamId);
    const { tenant, id: jobId } = parseStreamId(event.streamId);
    if (result !== null) this.owners.delete(event.streamId);
    if (definitionId === null) return false;
    const cause = { actor: ACTOR, correlationId: event.correlationId, causationId: event.eventId };
    const command: JobDefinitionCommand =
      result === null
        ? { type: 'recordRunStarted', jobId, executorId: (event.data as { executorId: string }).executorId }
        : { type: 'recordRunFinished', jobId, result };
    await this.record(tenant, definitionId, command, cause);
    return true;
  }

  /** Jobs submitted before this reactor's checkpoint are looked up once in their own stream. */
  private async ownerOf(jobStreamId: string): Promise<string | null> {
    const known = this.owners.get(jobStreamId);
    if (known !== undefined) return known;
    const [first] = await this.store.read(jobStreamId);
    const owner = (first?.event.data as { definitionId?: string } | undefined)?.definitionId ?? null;
    this.owners.set(jobStreamId, owner);
    return owner;
  }

  /**
   * Records a run fact unless the definition already holds it. The domain refuses a duplicate start
   * on the same host and a finish of a run no longer in flight; a replayed start of a run that has
   * since finished is recognised here, by the run's own `run-finished`.
   */
  private async record(tenant: string, definitionId: string, command: JobDefinitionCommand, cause: EventMetadata) {
    const streamId = streamIdOf(tenant, 'job-definition', definitionId);
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.store.read(streamId);
      const history = recorded.map((r) => r.event as JobDefinitionEvent);
      const jobId = 'jobId' in command ? command.jobId : null;
      if (history.some((e) => e.type === 'job-definition.run-finished' && e.data.jobId === jobId)) return;
      const ctx: EventContext = { tenant, now: new Date(), newId: randomUUID, ...cause };
      let events: DomainEvent[];
      try {
        events = decideJobDefinition(command, foldJobDefinition(history), ctx);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        this.logger.debug(`definition ${definitionId}: ${command.type} refused (${error.message})`);
        return;
      }
      try {
        await this.store.append(streamId, events, recorded.length === 0 ? 'no_stream' : recorded.length - 1);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async onRunRequested(event: JobDefinitionEvent): Promise<void> {
    const { tenant, id: definitionId } = parseStreamId(event.streamId);
    const { jobId } = event.data as { jobId: string };
    const { state } = await this.runs.load(tenant, definitionId);
    // Submitted with the definition as it stands during the run: edits made meanwhile are pending.
    if (state.currentJobId !== jobId || state.runPhase !== 'queued') return;
    await this.runs.submitRun(tenant, state, jobId, { actor: event.actor, correlationId: event.correlationId, causationId: event.eventId });
  }

  /** Stop = cancel the run's job; a running handler also gets the executor's cancel notice. */
  private async onStopRequested(event: JobDefinitionEvent): Promise<void> {
    const { tenant } = parseStreamId(event.streamId);
    const { jobId } = event.data as { jobId: string };
    const ctx = (): EventContext => ({ tenant, now: new Date(), newId: randomUUID, actor: event.actor, correlationId: event.correlationId, causationId: event.eventId });
    const reason = 'job definition stopped';
    let status: JobState['status'];
    try {
      const handled = await handleCommand(this.store, streamIdOf(tenant, 'job', jobId), JOB, (s) => decideJob({ type: 'requestCancel', reason }, s, ctx()));
      status = handled.state.status;
    } catch (error) {
      // No job yet, already ending or already cancelled: the stop has nothing left to do.
      if (isDomainError(error)) return;
      throw error;
    }
    if (status === 'RUNNING') this.nc.publish(subjects.cancel(tenant, jobId), notice.encode({ reason, correlationId: event.correlationId }));
  }
}
