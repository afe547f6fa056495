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

/** What the executor knows of a job before reading its stream, handed over by the writer of its submit. */
export type KnownJob =
  /** Stored: the stream from its first event, as its writer just appended it (a sync submit with its position). */
  | { recorded: readonly RecordedEvent[] }
  /** Not stored yet (a sync job the gateway handed over unrecorded): they go into this executor's first append. */
  | { unrecorded: readonly DomainEvent[] };

/** The start a handler began with, decided but not appended yet. */
interface Begin {
  executorId: string;
  command: JobCommand;
  /** When the handler began: the event's time, whenever it is appended. */
  now: Date;
}

/**
 * Held back to go into one append with what follows: a sync job's unrecorded submit (stored only while the
 * stream does not exist) and the job's start.
 */
interface Deferred {
  given: readonly DomainEvent[];
  begin: Begin | null;
  /** The job as it will be once both are appended. */
  state: JobState;
}

/**
 * The executor's view of one job's stream: it keeps the state it last wrote so each
 * transition is a single append, and reloads only when someone else wrote in between.
 */
export class JobStream {
  readonly correlationId: string;
  readonly streamId: string;
  private current: Loaded<JobState> = { state: initialJobState, revision: -1 };
  private deferred: Deferred | null = null;

  private constructor(
    private readonly store: EventStore,
    private readonly who: Actor,
    private readonly jobId: string,
    private readonly onAppended?: OnAppended,
  ) {
    this.streamId = streamIdOf(who.tenant, 'job', jobId);
    this.correlationId = who.correlationId;
  }

  /** `known` spares the read (and, when stored, the store's tip lookup before the first append); a stale copy costs a conflict retry. */
  static async open(store: EventStore, who: Actor, jobId: string, onAppended?: OnAppended, known?: KnownJob): Promise<JobStream> {
    const stream = new JobStream(store, who, jobId, onAppended);
    if (known === undefined) {
      stream.current = await load(store, stream.streamId, jobAggregate);
    } else if ('recorded' in known) {
      store.rememberStream?.(stream.streamId, known.recorded);
      stream.current = { state: known.recorded.reduce((s, r) => jobAggregate.evolve(s, r.event), jobAggregate.initial), revision: known.recorded.length - 1 };
    } else {
      stream.deferred = { given: known.unrecorded, begin: null, state: known.unrecorded.reduce(jobAggregate.evolve, jobAggregate.initial) };
    }
    return stream;
  }

  /** The job as this executor sees it, whatever it holds back included. */
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
      // A refused start: the job is no longer ours to start, which the state read now shows.
      if (!isDomainError(error)) throw error;
    }
    return this.current.state;
  }

  /**
   * Decides the job's start now, throwing DomainError as apply would, and keeps its events back: they are
   * appended with the next transition, the outcome of a short handler, or by flush(). Temporal writes an
   * activity's started event the same way, with its result.
   */
  defer(command: Extract<JobCommand, { type: 'start' }>): void {
    const begin = { executorId: command.executorId, command, now: new Date() };
    const given = this.deferred?.given ?? [];
    const events = this.decideBegin(begin, this.state);
    this.deferred = { given, begin, state: events.reduce(jobAggregate.evolve, this.state) };
  }

  /** Appends what is held back on its own: the handler runs on, so the job must show RUNNING (or exist at all). */
  async flush(): Promise<void> {
    if (this.deferred) await this.append(null);
  }

  /** Decides and appends (after what is held back); throws DomainError when the job's state does not allow the command. */
  apply(command: JobCommand): Promise<DomainEvent[]> {
    return this.append(command);
  }

  private async append(command: JobCommand | null): Promise<DomainEvent[]> {
    const decide = (s: JobState): DomainEvent[] => {
      const held = this.heldOn(s);
      if (command === null) return held;
      const next = decideJob(command, held.reduce(jobAggregate.evolve, s), { ...this.who, now: new Date(), newId: randomUUID });
      return held.length === 0 ? next : [...held, ...next];
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

  /**
   * What is held back, fitted to the stream as `s`: the given submit only while the stream does not exist
   * (a fallback may have stored its own copy of it), the start unless it is stored already (an append whose
   * ack was lost).
   */
  private heldOn(s: JobState): DomainEvent[] {
    const d = this.deferred;
    if (!d) return [];
    const given = s.exists ? [] : d.given;
    const after = given.length === 0 ? s : given.reduce(jobAggregate.evolve, s);
    const begin = d.begin === null ? [] : this.decideBegin(d.begin, after);
    return given.length === 0 ? begin : [...given, ...begin];
  }

  private decideBegin(begin: Begin, s: JobState): DomainEvent[] {
    if (s.status === 'RUNNING' && s.executorId === begin.executorId) return [];
    return decideJob(begin.command, s, { ...this.who, now: begin.now, newId: randomUUID });
  }

  /** Fits what is held back to the stream as just read; throws the DomainError when the start is refused now (and drops it). */
  private rebase(): void {
    if (!this.deferred) return;
    let held: DomainEvent[];
    try {
      held = this.heldOn(this.current.state);
    } catch (error) {
      this.deferred = null;
      throw error;
    }
    this.deferred = held.length === 0 ? null : { ...this.deferred, state: held.reduce(jobAggregate.evolve, this.current.state) };
  }
}
