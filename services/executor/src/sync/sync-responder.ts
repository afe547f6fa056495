import type { SyncJobResult, SyncRunReply, SyncRunRequest } from '@jobstream/contracts';
import type { DomainEvent, JobState } from '@jobstream/domain';
import { subjects } from '@jobstream/messaging';
import { JSONCodec, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { KnownJob } from '../runtime/job-events';
import type { JobRunner, RunnerLogger } from '../runtime/job-runner';
import type { Slots } from '../runtime/work-consumer';

const requestCodec = JSONCodec<SyncRunRequest>();
const replyCodec = JSONCodec<SyncRunReply>();
const BUSY = replyCodec.encode({ kind: 'busy' });

export const syncResultOf = (s: JobState): SyncJobResult => ({
  jobId: s.jobId as string,
  status: s.status as string,
  jobVariables: s.jobVariables,
  workflowVariables: s.workflowVariables,
  output: s.output ?? null,
  lastError: s.lastError,
});

/**
 * Skip-the-queue path for synchronous jobs: the gateway asks `exec.sync.<type>` (one queue group per
 * type), and an executor with a free slot runs the job at once through the same runner as the work
 * queue, answering once the outcome is appended. With no free slot it answers `busy` immediately, so
 * the gateway falls back instead of waiting and hands the job to the work queue. Slots are shared
 * with the work consumer: capacity bounds both paths together.
 */
export class SyncResponder {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly runner: JobRunner,
    private readonly slots: Slots,
    private readonly logger: RunnerLogger,
  ) {}

  start(types: string[]): void {
    for (const type of types) {
      this.subscriptions.push(
        this.nc.subscribe(subjects.execSync(type), {
          queue: 'executor',
          callback: (error, msg) => {
            if (error) {
              this.logger.warn(`sync subscription for ${type} failed: ${error.message}`);
              return;
            }
            this.take(msg, type);
          },
        }),
      );
    }
  }

  /** Leaves the queue groups: from now on the gateway sees "no responders" (or another executor). */
  stopTaking(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }

  /** Lets the replies of jobs already taken go out before the connection drains. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private take(msg: Msg, type: string): void {
    if (!this.slots.tryAcquire()) {
      msg.respond(BUSY);
      return;
    }
    const task = this.run(msg, type).finally(() => {
      this.slots.release();
      this.inFlight.delete(task);
    });
    this.inFlight.add(task);
  }

  private async run(msg: Msg, type: string): Promise<void> {
    let reply: SyncRunReply;
    try {
      const request = requestCodec.decode(msg.data);
      const events = request.events as DomainEvent[];
      const { position } = request;
      const known: KnownJob | undefined =
        events.length === 0 ? undefined : position === undefined ? { unrecorded: events } : { recorded: events.map((event, revision) => ({ event, revision, position })) };
      const item = { tenant: request.tenant, jobId: request.jobId, type, correlationId: request.correlationId, causationId: request.causationId };
      const result = await this.runner.run(item, known);
      reply = result.kind === 'done' && result.state ? { kind: 'done', result: syncResultOf(result.state) } : { kind: 'taken' };
    } catch (error) {
      // The store failed mid-way: the job keeps its events so far and the work item finishes it.
      this.logger.warn(`sync job failed, left to the work queue: ${(error as Error).message}`);
      reply = { kind: 'error', message: (error as Error).message };
    }
    msg.respond(replyCodec.encode(reply));
  }
}
