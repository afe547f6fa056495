import { randomUUID } from 'node:crypto';
import { AUTHORIZATION_HEADER, serviceAuthorization } from '@jobstream/auth';
import { jobIdFor } from '@jobstream/contracts';
import {
  decideJob,
  decideOrchestrationRun,
  evolveJob,
  evolveOrchestrationDefinition,
  evolveOrchestrationRun,
  initialJobState,
  initialOrchestrationDefinitionState,
  initialOrchestrationRunState,
  isDomainError,
  nextFireTime,
  orchestrationDefinitionStreamId,
  orchestrationRunStreamId,
  parseStreamId,
  streamIdOf,
  timerStreamId,
  type DomainEvent,
  type EventContext,
  type JobEvent,
  type JobState,
  type ObjectCounts,
  type OrchestrationDefinitionEvent,
  type OrchestrationDefinitionState,
  type OrchestrationRunCommand,
  type OrchestrationRunEvent,
  type OrchestrationRunState,
  type OrchestrationTaskDefinition,
  type TaskOutcome,
  type TimerEventOf,
} from '@jobstream/domain';
import { ConcurrencyError, handleCommand, load, type Aggregate, type CommittedBatch, type EventStore, type Subscription } from '@jobstream/event-store';
import { CheckpointStore, OrchestrationIndex, orchestrationKeys, subjects, type JobLink } from '@jobstream/messaging';
import { headers as natsHeaders, JSONCodec, type NatsConnection } from 'nats';
import type { Clock } from '../timers/clock';
import type { TimerEngine } from '../timers/timer-engine';
import { isTaskIdempotencyKey, jobTypeOf, taskIdempotencyKey, taskJobId } from './task-jobs';

const RUN: Aggregate<OrchestrationRunState> = {
  initial: initialOrchestrationRunState,
  evolve: (state, event) => evolveOrchestrationRun(state, event as OrchestrationRunEvent),
};
const DEFINITION: Aggregate<OrchestrationDefinitionState> = {
  initial: initialOrchestrationDefinitionState,
  evolve: (state, event) => evolveOrchestrationDefinition(state, event as OrchestrationDefinitionEvent),
};
const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (state, event) => evolveJob(state, event as JobEvent) };

const codec = JSONCodec<unknown>();
const SUBMIT_TIMEOUT_MS = 10_000;

export type PlanTarget = { kind: 'orchestration-plan'; definitionId: string; revision: number };
export type AdvanceTarget = { kind: 'orchestration-advance'; runId: string; index: number };

/**
 * The orchestration process manager: follows the log (checkpointed) and turns facts into commands.
 * - a definition created or updated with an executionPlan (and active) gets a timer for its next fire;
 * - a plan timer's fire starts a run (overlap policy permitting) and schedules the following fire;
 * - `task-waiting` gets a timer whose fire advances the run;
 * - `task-launched` submits the task's job through the gateway's NATS submit, idempotently;
 * - the job's end (`job.completed|failed|cancelled`) becomes `taskFinished` on the run;
 * - a cancel requested while a job runs asks that job to cancel.
 * Every reaction is idempotent (derived ids, idempotency keys, DomainErrors on replays are dropped),
 * so replaying past the checkpoint after a crash does nothing twice.
 */
export class OrchestrationProcessManager {
  private subscription?: Subscription;
  private checkpoints?: CheckpointStore;
  private index!: OrchestrationIndex;
  /**
   * Jobs whose submit this reader saw, and whether it was a task launch's: the end of any other job
   * needs no KV look-up of a run link (one per job otherwise). A job submitted before this process
   * started is not here and is looked up.
   */
  private readonly submitted = new Map<string, boolean>();
  /** The gateway authenticates NATS submits; the scheduler signs them as `service:scheduler`. */
  private readonly authorization = serviceAuthorization('scheduler');

  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly timers: TimerEngine,
    private readonly clock: Clock,
    private readonly options: { checkpointKey?: string; log?: (message: string) => void } = {},
  ) {}

  async start(): Promise<void> {
    this.index = await OrchestrationIndex.open(this.nc);
    this.checkpoints = await CheckpointStore.open(this.nc, this.options.checkpointKey ?? 'orchestration');
    const fromPosition = await this.checkpoints.load();
    this.subscription = await this.store.subscribe({
      fromPosition,
      aggregates: ['orchestration-definition', 'orchestration-run', 'job', 'timer'],
      handler: (batch) => this.handle(batch),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.checkpoints?.flush();
  }

  private async handle(batch: CommittedBatch): Promise<void> {
    for (const { event, revision } of batch.events) {
      try {
        await this.react(event, revision);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        // A replayed or outdated reaction: the aggregate already moved on.
      }
    }
    this.checkpoints?.save(batch.position);
  }

  private async react(event: DomainEvent, revision: number): Promise<void> {
    const { tenant, aggregate, id } = parseStreamId(event.streamId);
    switch (aggregate) {
      case 'orchestration-definition':
        return this.onDefinition(tenant, id, event as OrchestrationDefinitionEvent, revision);
      case 'orchestration-run':
        return this.onRun(tenant, event as OrchestrationRunEvent);
      case 'job':
        return this.onJob(tenant, id, event as JobEvent);
      case 'timer':
        if (event.type === 'timer.fired') return this.onTimerFired(tenant, event as TimerEventOf<'timer.fired'>);
        return;
      default:
        return;
    }
  }

  private async onDefinition(tenant: string, definitionId: string, event: OrchestrationDefinitionEvent, revision: number): Promise<void> {
    await this.cancelPlanTimers(tenant, definitionId, revision);
    if (event.type === 'orchestration-definition.deleted') {
      await this.index.remove(orchestrationKeys.definition(tenant, definitionId));
      await this.index.remove(orchestrationKeys.queued(tenant, definitionId));
      return;
    }
    await this.index.put(orchestrationKeys.definition(tenant, definitionId));
    await this.schedulePlan(tenant, event.data, revision, this.clock.now(), event);
  }

  /** Timers of older versions are cancelled when this engine knows them; a stale one that fires anyway is ignored. */
  private async cancelPlanTimers(tenant: string, definitionId: string, revision: number): Promise<void> {
    const stale = [...this.timers.pendingTimers()].filter((timer) => {
      const target = timer.target as Partial<PlanTarget>;
      return timer.tenant === tenant && target.kind === 'orchestration-plan' && target.definitionId === definitionId && (target.revision ?? 0) < revision;
    });
    for (const timer of stale) await this.timers.cancel(tenant, timer.timerId);
  }

  private async schedulePlan(tenant: string, definition: OrchestrationTaskDefinition, revision: number, after: number, cause: DomainEvent): Promise<void> {
    const plan = definition.executionPlan;
    if (!plan || definition.active === false) return;
    const next = nextFireTime(plan, new Date(after));
    if (next === null) return;
    const target: PlanTarget = { kind: 'orchestration-plan', definitionId: definition.id, revision };
    await this.timers.schedule(
      tenant,
      { timerId: `plan_${definition.id}_${revision}_${next.getTime()}`, dueAt: next.toISOString(), target, misfirePolicy: plan.misfirePolicy ?? 'FIRE_ONCE' },
      { correlationId: cause.correlationId, causationId: cause.eventId },
    );
  }

  private async onRun(tenant: string, event: OrchestrationRunEvent): Promise<void> {
    const runId = parseStreamId(event.streamId).id;
    switch (event.type) {
      case 'orchestration-run.started':
        await this.index.put(orchestrationKeys.run(tenant, event.data.definitionId, runId));
        await this.index.put(orchestrationKeys.running(tenant, event.data.definitionId, runId));
        return;
      case 'orchestration-run.task-waiting': {
        const target: AdvanceTarget = { kind: 'orchestration-advance', runId, index: event.data.index };
        await this.timers.schedule(
          tenant,
          { timerId: `run_${runId}_${event.data.index}_${Date.parse(event.data.until)}`, dueAt: event.data.until, target },
          { correlationId: event.correlationId, causationId: event.eventId },
        );
        return;
      }
      case 'orchestration-run.task-launched':
        return this.submitTask(tenant, runId, event);
      case 'orchestration-run.cancel-requested':
        return this.cancelRunningJob(tenant, runId, event);
      case 'orchestration-run.finished':
      case 'orchestration-run.cancelled':
        return this.onRunEnded(tenant, runId, event);
      case 'orchestration-run.deleted': {
        const { state } = await load(this.store, event.streamId, RUN);
        if (state.definitionId) await this.index.remove(orchestrationKeys.run(tenant, state.definitionId, runId));
        await this.index.remove(orchestrationKeys.vars(tenant, runId));
        return;
      }
      default:
        return;
    }
  }

  private async submitTask(tenant: string, runId: string, event: OrchestrationRunEvent & { type: 'orchestration-run.task-launched' }): Promise<void> {
    const { index, taskId, jobId: launchId } = event.data;
    const { state } = await load(this.store, event.streamId, RUN);
    const definition = state.definition;
    if (!definition) return;
    const task = definition.orchestratedTasks[index];
    const jobId = taskJobId(tenant, runId, index, launchId);
    // Recorded before the submit, so the job's end always finds its run.
    await this.index.put(orchestrationKeys.job(tenant, jobId), { runId, index, launchId } satisfies JobLink);
    const configuration = await this.jobDefinitionConfiguration(tenant, taskId);
    const workflowVariables = (await this.index.get<Record<string, unknown>>(orchestrationKeys.vars(tenant, runId))) ?? {};
    const body = {
      type: jobTypeOf(task.taskType),
      payload: { ...configuration, taskId, taskType: task.taskType, runId, definitionId: definition.id, index },
      idempotencyKey: taskIdempotencyKey(runId, index, launchId),
      retry: { maxAttempts: 1 },
      workflowVariables,
    };
    const h = natsHeaders();
    h.set('x-correlation-id', event.correlationId);
    h.set('x-causation-id', event.eventId);
    const authorization = await this.authorization();
    if (authorization) h.set(AUTHORIZATION_HEADER, authorization);
    const reply = codec.decode((await this.nc.request(subjects.submit(tenant), codec.encode(body), { headers: h, timeout: SUBMIT_TIMEOUT_MS })).data) as {
      statusCode?: number;
      message?: string;
    };
    if (reply.statusCode === 202) return;
    // The gateway refused the job (e.g. an unknown type): the task fails instead of hanging.
    this.options.log?.(`orchestration ${runId}: task ${index} job refused: ${reply.message ?? 'unknown reason'}`);
    await this.finishTask(tenant, runId, { index, launchId, jobId }, 'FAILED', { processed: 0, succeeded: 0, failed: 0 }, event);
  }

  /** The task's taskId names a job definition; its configuration (when it has one) is the job's payload. */
  private async jobDefinitionConfiguration(tenant: string, taskId: string): Promise<Record<string, unknown>> {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(taskId)) return {};
    let configuration: unknown = undefined;
    for (const { event } of await this.store.read(streamIdOf(tenant, 'job-definition', taskId))) {
      if (event.type === 'job-definition.created' || event.type === 'job-definition.updated') configuration = (event.data as { configuration?: unknown }).configuration;
      if (event.type === 'job-definition.deleted') configuration = undefined;
    }
    return typeof configuration === 'object' && configuration !== null && !Array.isArray(configuration) ? (configuration as Record<string, unknown>) : {};
  }

  private async cancelRunningJob(tenant: string, runId: string, event: DomainEvent): Promise<void> {
    const { state } = await load(this.store, event.streamId, RUN);
    const index = state.tasks.findIndex((task) => task.status === 'RUNNING');
    if (index < 0 || state.status !== 'RUNNING') return;
    const jobId = taskJobId(tenant, runId, index, state.tasks[index].jobId ?? '');
    const ctx = this.context(tenant, event);
    try {
      const handled = await handleCommand(this.store, streamIdOf(tenant, 'job', jobId), JOB, (s) => decideJob({ type: 'requestCancel', reason: 'orchestration cancelled' }, s, ctx));
      if (handled.state.status === 'RUNNING') this.nc.publish(subjects.cancel(tenant, jobId), codec.encode({ reason: 'orchestration cancelled', correlationId: event.correlationId }));
    } catch (error) {
      if (!isDomainError(error)) throw error;
    }
  }

  private async onRunEnded(tenant: string, runId: string, event: DomainEvent): Promise<void> {
    const { state } = await load(this.store, event.streamId, RUN);
    const definitionId = state.definitionId;
    if (!definitionId) return;
    await this.index.remove(orchestrationKeys.running(tenant, definitionId, runId));
    const queued = await this.index.get<{ timerId: string }>(orchestrationKeys.queued(tenant, definitionId));
    if (!queued) return;
    await this.index.remove(orchestrationKeys.queued(tenant, definitionId));
    await this.startPlannedRun(tenant, definitionId, queued.timerId, event);
  }

  private async onJob(tenant: string, jobId: string, event: JobEvent): Promise<void> {
    let outcome: TaskOutcome;
    let objects: ObjectCounts = { processed: 0, succeeded: 0, failed: 0 };
    switch (event.type) {
      case 'job.submitted':
        this.submitted.set(event.streamId, isTaskIdempotencyKey(event.data.idempotencyKey));
        return;
      case 'job.deleted':
        this.submitted.delete(event.streamId);
        return;
      case 'job.completed': {
        const counts = (event.data.output as { objects?: Partial<ObjectCounts> } | undefined)?.objects;
        if (counts && [counts.processed, counts.succeeded, counts.failed].every((n) => Number.isInteger(n) && (n as number) >= 0)) {
          objects = counts as ObjectCounts;
        }
        outcome = objects.failed > 0 ? 'PARTIAL' : 'SUCCESS';
        break;
      }
      case 'job.failed':
      case 'job.cancelled':
        outcome = 'FAILED';
        break;
      default:
        return;
    }
    const isTask = this.submitted.get(event.streamId);
    // Forgotten at any end: a job retried after a failure is looked up when it ends again.
    this.submitted.delete(event.streamId);
    if (isTask === false) return;
    const link = await this.index.get<JobLink>(orchestrationKeys.job(tenant, jobId));
    if (!link) return;
    if (event.type === 'job.completed') await this.index.put(orchestrationKeys.vars(tenant, link.runId), event.data.workflowVariables ?? {});
    await this.finishTask(tenant, link.runId, { ...link, jobId }, outcome, objects, event);
    await this.index.remove(orchestrationKeys.job(tenant, jobId));
  }

  private async finishTask(
    tenant: string,
    runId: string,
    link: { index: number; launchId: string; jobId: string },
    outcome: TaskOutcome,
    objects: ObjectCounts,
    cause: DomainEvent,
  ): Promise<void> {
    await this.runCommand(tenant, runId, { type: 'taskFinished', index: link.index, jobId: link.launchId, outcome, objects }, cause);
  }

  private async onTimerFired(tenant: string, event: TimerEventOf<'timer.fired'>): Promise<void> {
    const [scheduled] = await this.store.read(timerStreamId(tenant, event.data.timerId));
    if (!scheduled || scheduled.event.type !== 'timer.scheduled') return;
    const { target, dueAt } = scheduled.event.data as { target: { kind: string }; dueAt: string };
    if (target.kind === 'orchestration-advance') {
      await this.runCommand(tenant, (target as AdvanceTarget).runId, { type: 'advance' }, event);
    } else if (target.kind === 'orchestration-plan') {
      await this.onPlanFire(tenant, target as PlanTarget, event.data.timerId, Date.parse(dueAt), event);
    }
  }

  private async onPlanFire(tenant: string, target: PlanTarget, timerId: string, dueAt: number, cause: DomainEvent): Promise<void> {
    const loaded = await load(this.store, orchestrationDefinitionStreamId(tenant, target.definitionId), DEFINITION);
    const definition = loaded.state.definition;
    // A timer of an older version, of a deleted or of a deactivated definition does nothing.
    if (!loaded.state.exists || definition === null || loaded.revision !== target.revision || definition.active === false) return;
    // Missed periods collapse into this one fire: the next one is planned from now.
    await this.schedulePlan(tenant, definition, target.revision, Math.max(dueAt, this.clock.now()), cause);
    const running = await this.index.ids(orchestrationKeys.runningOf(tenant, definition.id));
    const overlap = definition.executionPlan?.overlapPolicy ?? 'SKIP';
    if (running.length > 0 && overlap === 'SKIP') {
      this.options.log?.(`orchestration ${definition.id}: fire ${timerId} skipped, a run is still going`);
      return;
    }
    if (running.length > 0 && overlap === 'QUEUE_ONE') {
      await this.index.create(orchestrationKeys.queued(tenant, definition.id), { timerId });
      return;
    }
    await this.startPlannedRun(tenant, definition.id, timerId, cause);
  }

  /** The run id derives from the fire, so a replayed fire starts nothing new. */
  private async startPlannedRun(tenant: string, definitionId: string, timerId: string, cause: DomainEvent): Promise<void> {
    const definition = await load(this.store, orchestrationDefinitionStreamId(tenant, definitionId), DEFINITION);
    const runId = jobIdFor(tenant, `orchestration-plan:${timerId}`);
    const events = decideOrchestrationRun({ type: 'start', runId, definition: definition.state }, initialOrchestrationRunState, this.context(tenant, cause));
    try {
      await this.store.append(orchestrationRunStreamId(tenant, runId), events, 'no_stream');
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }

  private async runCommand(tenant: string, runId: string, command: OrchestrationRunCommand, cause: DomainEvent): Promise<void> {
    await handleCommand(this.store, orchestrationRunStreamId(tenant, runId), RUN, (state) => decideOrchestrationRun(command, state, this.context(tenant, cause)));
  }

  private context(tenant: string, cause: DomainEvent): EventContext {
    return {
      tenant,
      now: new Date(this.clock.now()),
      newId: randomUUID,
      actor: 'service:scheduler',
      correlationId: cause.correlationId,
      causationId: cause.eventId,
    };
  }
}
