import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { StartDefinitionRunAnswer } from '@jobstream/contracts';
import {
  decideJob,
  decideJobDefinition,
  evolveJobDefinition,
  initialJobDefinitionState,
  initialJobState,
  streamIdOf,
  type EventContext,
  type EventMetadata,
  type JobDefinitionCommand,
  type JobDefinitionEvent,
  type JobDefinitionState,
  type JobRunTrigger,
  type SubmitJob,
} from '@jobstream/domain';
import { ConcurrencyError, EVENT_STORE, handleCommand, load, type Aggregate, type EventStore, type Handled } from '@jobstream/event-store';

export const JOB_DEFINITION: Aggregate<JobDefinitionState> = {
  initial: initialJobDefinitionState,
  evolve: (s, e) => evolveJobDefinition(s, e as JobDefinitionEvent),
};

/** Who asks: a person through the gateway, or `service:scheduler` for a timer. */
export type RunCaller = EventMetadata;

/**
 * Starts runs of job definitions: one code path for the Start button (through `definitions.start`)
 * and for the schedule timers. A run is `job-definition.run-requested` (which draws the job id)
 * followed by the job's own submit with exactly that id, so a repeated submit can never make a
 * second job: the job stream either does not exist yet or already holds the run.
 */
@Injectable()
export class DefinitionRunsService {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async startRun(tenant: string, definitionId: string, trigger: JobRunTrigger, caller: RunCaller): Promise<StartDefinitionRunAnswer> {
    const handled = await this.command(tenant, definitionId, { type: 'start', trigger }, caller);
    const [requested] = handled.events;
    const jobId = (requested.data as { jobId: string }).jobId;
    await this.submitRun(tenant, handled.state, jobId, { ...caller, causationId: requested.eventId });
    return { definitionId, jobId };
  }

  /**
   * Submits the job of a requested run with the definition's type, configuration and retry policy.
   * Also called by the reactor for every `run-requested` it reads, which finishes a start that
   * crashed between its two appends.
   */
  async submitRun(tenant: string, definition: JobDefinitionState, jobId: string, caller: RunCaller): Promise<void> {
    const command: SubmitJob = {
      type: 'submit',
      jobId,
      jobType: definition.type,
      payload: definition.configuration ?? {},
      definitionId: definition.definitionId as string,
      ...(definition.retry !== null && { retry: definition.retry }),
    };
    const events = decideJob(command, initialJobState, this.context(tenant, caller));
    try {
      await this.store.append(streamIdOf(tenant, 'job', jobId), events, 'no_stream');
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }

  command(tenant: string, definitionId: string, command: JobDefinitionCommand, caller: RunCaller): Promise<Handled<JobDefinitionState>> {
    const decide = (state: JobDefinitionState) => decideJobDefinition(command, state, this.context(tenant, caller));
    return handleCommand(this.store, streamIdOf(tenant, 'job-definition', definitionId), JOB_DEFINITION, decide);
  }

  load(tenant: string, definitionId: string) {
    return load(this.store, streamIdOf(tenant, 'job-definition', definitionId), JOB_DEFINITION);
  }

  private context(tenant: string, caller: RunCaller): EventContext {
    return { tenant, now: new Date(), newId: randomUUID, ...caller };
  }
}
