import { randomUUID } from 'node:crypto';
import { decideJob, DomainEvent, evolveJob, initialJobState, isDomainError, JobCommand, JobState, streamIdOf } from '@jobstream/domain';
import { Aggregate, EventStore, handleCommand, Loaded, load, type RecordedEvent } from '@jobstream/event-store';
import type { TransitionNotice } from '@jobstream/messaging';

export const jobAggregate: Aggregate<JobState> = {
  initial: initialJobState,
  evolve: (state, event) => evolveJob(state, event as Parameters<typeof evolveJob>[1]),
};

/** Told after every append, e.g. to publish a live transition notice. */
export type OnAppended = (tenant: string, notice: TransitionNotice) => void;

export interface Actor {
  tenant: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
}

/** Decided but not yet appended: the job's `start`, kept back to go into one append with what follows it. */
interface DeferredBegin {
  executorId: string;
  command: JobCommand;
  /** When the handler began: the event's time, whenever it is appended. */
  now: Date;
  /** The job as it will be once the begin is appended. */
  state: JobState;
}

/**
 * The executor's view of one job's stream: it keeps the state it last wrote so each
 * transition is a single append, and reloads only when someone else wrote in between.
 */
export class JobStream {
  readonly correlationId: string;
  readonly streamId: string;
  private current: Loaded<JobState>;
  private deferred: DeferredBegin | null = null;

  private constructor(
    private readonly store: EventStore,
    private readonly who: Actor,
    private readonly jobId: string,
    loaded: Loaded<JobState>,
    private readonly onAppended?: OnAppended,
  ) {
    this.streamId = streamIdOf(who.tenant, 'job', jobId);
    this.correlationId = who.correlationId;
    this.current = loaded;
  }

  /**
   * `known`: the stream from its first event, as its writer just stored it (a sync submit handed over by the
   * gateway). It spares the read, and the store its tip lookup before the first append; a stale copy costs a
   * conflict retry.
   */
  static async open(store: EventStore, who: Actor, jobId: string, onAppended?: OnAppended, known?: readonly RecordedEvent[]): Promise<JobStream> {
    const streamId = streamIdOf(who.tenant, 'job', jobId);
    let loaded: Loaded<JobState>;
    if (known) {
      store.rememberStream?.(streamId, known);
      loaded = { state: known.reduce((s, r) => jobAggregate.evolve(s, r.event), jobAggregate.initial), revision: known.length - 1 };
    } else {
      loaded = await load(store, streamId, jobAggregate);
    }
    return new JobStream(store, who, jobId, loaded, onAppended);
  }

  /** The job as this executor sees it, a deferred begin included. */
  get state(): JobState {
    return this.deferred?.state ?? this.current.state;
  }

  get deferring(): boolean {
    return this.deferred !== null;
  }

  /** Reads the stream again: after a refused command our copy may predate someone else's write. */
  async reload(): Promise<JobState> {
    this.current = await load(this.store, this.streamId, jobAggregate);
    try {
      this.rebase();
    } catch (error) {
      // A refused begin: the job is no longer ours to start, which the state read now shows.
      if (!isDomainError(error)) throw error;
    }
    return this.current.state;
  }

  /**
   * Decides the job's begin now, throwing DomainError as apply would, and keeps its events back: they are
   * appended with the next transition, the outcome of a short handler, or by flush(). Temporal writes an
   * activity's started event the same way, with its result.
   */
  defer(command: Extract<JobCommand, { type: 'start' }>): void {
    const now = new Date();
    const events = decideJob(command, this.current.state, { ...this.who, now, newId: randomUUID });
    this.deferred = { executorId: command.executorId, command, now, state: events.reduce(jobAggregate.evolve, this.current.state) };
  }

  /** Appends a deferred begin on its own: the handler runs on, so the job must show RUNNING. */
  async flush(): Promise<void> {
    if (this.deferred) await this.append(null);
  }

  /** Decides and appends (after a deferred begin); throws DomainError when the job's state does not allow the command. */
  apply(command: JobCommand): Promise<DomainEvent[]> {
    return this.append(command);
  }

  private async append(command: JobCommand | null): Promise<DomainEvent[]> {
    const decide = (s: JobState): DomainEvent[] => {
      const begin = this.beginOn(s);
      if (command === null) return begin;
      const next = decideJob(command, begin.reduce(jobAggregate.evolve, s), { ...this.who, now: new Date(), newId: randomUUID });
      return begin.length === 0 ? next : [...begin, ...next];
    };
    let handled;
    try {
      handled = await handleCommand(this.store, this.streamId, jobAggregate, decide, { known: this.current });
    } catch (error) {
      // Our copy may be stale (a cancel request or a time-out written by someone else): decide
      // again on the stream as it is before calling the command illegal.
      if (!isDomainError(error)) throw error;
      this.current = await load(this.store, this.streamId, jobAggregate);
      this.rebase();
      handled = await handleCommand(this.store, this.streamId, jobAggregate, decide, { known: this.current });
    }
    this.current = { state: handled.state, revision: handled.revision };
    this.deferred = null;
    const last = handled.events[handled.events.length - 1];
    if (last) this.onAppended?.(this.who.tenant, { jobId: this.jobId, type: last.type, revision: handled.revision, status: handled.state.status });
    return handled.events;
  }

  /** The deferred begin's events on `s`; none when it is stored already (an append whose ack was lost). */
  private beginOn(s: JobState): DomainEvent[] {
    const d = this.deferred;
    if (!d || (s.status === 'RUNNING' && s.executorId === d.executorId)) return [];
    return decideJob(d.command, s, { ...this.who, now: d.now, newId: randomUUID });
  }

  /** Fits a deferred begin to the stream as just read; throws the DomainError when it is refused now (and drops it). */
  private rebase(): void {
    if (!this.deferred) return;
    let begin: DomainEvent[];
    try {
      begin = this.beginOn(this.current.state);
    } catch (error) {
      this.deferred = null;
      throw error;
    }
    this.deferred = begin.length === 0 ? null : { ...this.deferred, state: begin.reduce(jobAggregate.evolve, this.current.state) };
  }
}
