import { randomUUID } from 'node:crypto';
import {
  decideJobDefinition,
  decideTimer,
  evolveTimer,
  initialTimerState,
  isDomainError,
  parseStreamId,
  streamIdOf,
  timerStreamId,
  type DomainEvent,
  type EventContext,
  type EventMetadata,
  type JobDefinitionEvent,
  type TimerEvent,
  type TimerEventOf,
} from '@jobstream/domain';
import { ConcurrencyError, handleCommand, type CommittedBatch, type EventStore, type Subscription } from '@jobstream/event-store';
import { CheckpointStore } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import type { DefinitionRunsService } from '../definitions/definition-runs.service';
import { systemClock, type Clock } from '../timers/clock';
import { nextScheduledRun } from './next-run';
import {
  isRescheduling,
  isScheduled,
  SCHEDULE_TIMER_KIND,
  SCHEDULE_TIMER_PREFIX,
  SCHEDULE_VIEW,
  scheduleTimerId,
  type ScheduleTimerTarget,
  type ScheduleView,
} from './schedule-view';

const ACTOR = 'service:scheduler';

export interface DefinitionScheduleReactorOptions {
  /** Key of this reactor's log position in `jobstream_checkpoints`. */
  checkpointKey?: string;
  clock?: Clock;
  log?: (message: string) => void;
}

/**
 * Runs job definitions on their schedules with the scheduler's durable timers. It follows the log:
 * - a change of a definition's schedule (created, updated, enabled, disabled, deleted, suspended, or a
 *   run's end that applies a pending edit) starts a new generation: the timer of the previous one is
 *   cancelled and, when the definition is enabled with a schedule, a timer is scheduled for its first
 *   run and recorded as the definition's `nextRunTime` (`job-definition.next-run-planned`);
 * - a fire of the current generation starts a run with trigger `schedule` when the definition is
 *   Ready (a run still in flight skips the fire), then schedules and records the next one, counted
 *   from the fire so that missed periods collapse into the one late fire.
 * Timer ids derive from the definition, the generation and the due time, and the fire's own
 * `next-run-planned` (caused by the fire) marks it handled, so replaying the log after a crash
 * schedules nothing twice and starts no second run.
 */
export class DefinitionScheduleReactor {
  private subscription?: Subscription;
  private checkpoints?: CheckpointStore;
  private readonly clock: Clock;

  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly runs: DefinitionRunsService,
    private readonly options: DefinitionScheduleReactorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async start(): Promise<void> {
    this.checkpoints = await CheckpointStore.open(this.nc, this.options.checkpointKey ?? 'definition-schedules');
    const fromPosition = await this.checkpoints.load();
    this.subscription = await this.store.subscribe({ fromPosition, aggregates: ['job-definition', 'timer'], handler: (batch) => this.handle(batch) });
    this.options.log?.(`definition schedules: following the log from ${fromPosition ?? 'its start'}`);
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
        // A replayed or outdated reaction: the definition already moved on.
        if (!isDomainError(error)) throw error;
      }
    }
    this.checkpoints?.save(batch.position);
  }

  private async react(event: DomainEvent, revision: number): Promise<void> {
    const { tenant, aggregate, id } = parseStreamId(event.streamId);
    if (aggregate === 'job-definition' && isRescheduling(event.type)) return this.onChanged(tenant, id, revision, event);
    if (aggregate === 'timer' && event.type === 'timer.fired' && id.startsWith(SCHEDULE_TIMER_PREFIX)) {
      return this.onFired(tenant, id, event as TimerEventOf<'timer.fired'>);
    }
  }

  private async onChanged(tenant: string, definitionId: string, revision: number, cause: DomainEvent): Promise<void> {
    const view = await this.view(tenant, definitionId);
    // A later change supersedes this one and plans for itself; a run's end that applied no edit changes nothing.
    if (view.generation !== revision) return;
    const meta = { actor: ACTOR, correlationId: cause.correlationId, causationId: cause.eventId };
    if (view.planned && view.planned.generation < view.generation && view.planned.timerId) {
      await this.cancelTimer(tenant, view.planned.timerId, meta);
    }
    // Replayed: this generation was planned already (and may have fired since).
    if (view.planned?.generation === view.generation) return;
    const due = isScheduled(view.definition) ? this.nextRun(view, view.since as string) : null;
    if (due === null && view.definition.nextRunTime === null) return;
    if (due !== null) await this.scheduleTimer(tenant, definitionId, view.generation, due, meta);
    await this.planNextRun(tenant, definitionId, view.generation, due, meta, { onlyFirst: true });
  }

  private async onFired(tenant: string, timerId: string, fired: TimerEventOf<'timer.fired'>): Promise<void> {
    const [scheduled] = await this.store.read(timerStreamId(tenant, timerId));
    if (scheduled?.event.type !== 'timer.scheduled') return;
    const target = (scheduled.event as TimerEventOf<'timer.scheduled'>).data.target as Partial<ScheduleTimerTarget>;
    if (target.kind !== SCHEDULE_TIMER_KIND || typeof target.definitionId !== 'string') return;
    const definitionId = target.definitionId;
    const recorded = await this.store.read(streamIdOf(tenant, 'job-definition', definitionId));
    const view = recorded.reduce((v, r) => SCHEDULE_VIEW.evolve(v, r.event), SCHEDULE_VIEW.initial);
    // A timer of an older schedule, or of a definition since disabled, suspended or deleted: no run.
    if (view.generation !== target.generation || !isScheduled(view.definition)) return;
    const caused = new Set(recorded.filter((r) => r.event.causationId === fired.eventId).map((r) => r.event.type));
    if (caused.has('job-definition.next-run-planned')) return;
    const meta = { actor: ACTOR, correlationId: fired.correlationId, causationId: fired.eventId };
    if (!caused.has('job-definition.run-requested')) await this.startRun(tenant, definitionId, view, timerId, meta);
    const due = this.nextRun(view, fired.data.firedAt);
    if (due !== null) await this.scheduleTimer(tenant, definitionId, view.generation, due, meta);
    await this.planNextRun(tenant, definitionId, view.generation, due, meta, { onlyFirst: false });
  }

  /** Overlap policy skip: a fire while a run is still in flight (or unaccounted for) starts nothing. */
  private async startRun(tenant: string, definitionId: string, view: ScheduleView, timerId: string, meta: EventMetadata): Promise<void> {
    if (view.definition.status !== 'Ready') {
      this.options.log?.(`definition ${tenant}/${definitionId}: fire ${timerId} skipped, the definition is ${String(view.definition.status)}`);
      return;
    }
    try {
      await this.runs.startRun(tenant, definitionId, 'schedule', meta);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      // Started by hand (or changed) between the read and the start: the same skip.
      this.options.log?.(`definition ${tenant}/${definitionId}: fire ${timerId} skipped: ${error.message}`);
    }
  }

  private nextRun(view: ScheduleView, after: string): string | null {
    const { schedule } = view.definition;
    if (schedule === null || view.since === null) return null;
    return nextScheduledRun(schedule, new Date(view.since), new Date(after))?.toISOString() ?? null;
  }

  /**
   * Records the next run on the definition, only while `generation` is still current (checked again
   * on every retry of the append). `onlyFirst`: the first plan of a generation, which a replay must
   * not repeat once fires of that generation have moved `nextRunTime` on.
   */
  private async planNextRun(tenant: string, definitionId: string, generation: number, at: string | null, meta: EventMetadata, { onlyFirst }: { onlyFirst: boolean }) {
    const ctx = this.context(tenant, meta);
    await handleCommand(this.store, streamIdOf(tenant, 'job-definition', definitionId), SCHEDULE_VIEW, (view) => {
      if (view.generation !== generation || (onlyFirst && view.planned?.generation === generation)) return [];
      return decideJobDefinition({ type: 'planNextRun', at }, view.definition, ctx);
    });
  }

  /** Through the timer decider onto the log; the leading scheduler's timer engine picks it up from there. */
  private async scheduleTimer(tenant: string, definitionId: string, generation: number, dueAt: string, meta: EventMetadata): Promise<void> {
    const target: ScheduleTimerTarget = { kind: SCHEDULE_TIMER_KIND, definitionId, generation };
    const timerId = scheduleTimerId(definitionId, generation, dueAt);
    const events = decideTimer({ type: 'schedule', timerId, dueAt, target, misfirePolicy: 'FIRE_ONCE' }, initialTimerState, this.context(tenant, meta));
    try {
      await this.store.append(timerStreamId(tenant, timerId), events, 'no_stream');
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }

  /** A timer that already fired or was cancelled refuses; that is fine, a stale fire is ignored anyway. */
  private async cancelTimer(tenant: string, timerId: string, meta: EventMetadata): Promise<void> {
    const streamId = timerStreamId(tenant, timerId);
    const recorded = await this.store.read(streamId);
    const state = recorded.reduce((s, r) => evolveTimer(s, r.event as TimerEvent), initialTimerState);
    try {
      await this.store.append(streamId, decideTimer({ type: 'cancel' }, state, this.context(tenant, meta)), recorded.length - 1);
    } catch (error) {
      if (!isDomainError(error) && !(error instanceof ConcurrencyError)) throw error;
    }
  }

  private async view(tenant: string, definitionId: string): Promise<ScheduleView> {
    const recorded = await this.store.read(streamIdOf(tenant, 'job-definition', definitionId));
    return recorded.reduce((v, r) => SCHEDULE_VIEW.evolve(v, r.event as JobDefinitionEvent), SCHEDULE_VIEW.initial);
  }

  private context(tenant: string, meta: EventMetadata): EventContext {
    return { tenant, now: new Date(this.clock.now()), newId: randomUUID, ...meta };
  }
}
