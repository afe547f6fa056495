import { randomUUID } from 'node:crypto';
import { decideJob, DomainEvent, evolveJob, initialJobState, isDomainError, JobCommand, JobState, streamIdOf } from '@jobstream/domain';
import { Aggregate, EventStore, handleCommand, Loaded, load } from '@jobstream/event-store';
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

/**
 * The executor's view of one job's stream: it keeps the state it last wrote so each
 * transition is a single append, and reloads only when someone else wrote in between.
 */
export class JobStream {
  readonly correlationId: string;
  readonly streamId: string;
  private current: Loaded<JobState>;

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

  /** `known` (the caller just wrote the stream, e.g. a sync submit) spares the read; a stale one costs a conflict retry. */
  static async open(store: EventStore, who: Actor, jobId: string, onAppended?: OnAppended, known?: Loaded<JobState>): Promise<JobStream> {
    return new JobStream(store, who, jobId, known ?? (await load(store, streamIdOf(who.tenant, 'job', jobId), jobAggregate)), onAppended);
  }

  get state(): JobState {
    return this.current.state;
  }

  /** Reads the stream again: after a refused command our copy may predate someone else's write. */
  async reload(): Promise<JobState> {
    this.current = await load(this.store, this.streamId, jobAggregate);
    return this.current.state;
  }

  /** Decides and appends; throws DomainError when the job's state does not allow the command. */
  async apply(command: JobCommand): Promise<DomainEvent[]> {
    const ctx = { ...this.who, now: new Date(), newId: randomUUID };
    const decide = (s: JobState) => decideJob(command, s, ctx);
    let handled;
    try {
      handled = await handleCommand(this.store, this.streamId, jobAggregate, decide, { known: this.current });
    } catch (error) {
      // Our copy may be stale (a cancel request or a time-out written by someone else): decide
      // again on the stream as it is before calling the command illegal.
      if (!isDomainError(error)) throw error;
      handled = await handleCommand(this.store, this.streamId, jobAggregate, decide);
    }
    this.current = { state: handled.state, revision: handled.revision };
    const last = handled.events[handled.events.length - 1];
    if (last) this.onAppended?.(this.who.tenant, { jobId: this.jobId, type: last.type, revision: handled.revision, status: handled.state.status });
    return handled.events;
  }
}
