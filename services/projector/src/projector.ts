import type { CommittedBatch, EventStore, Subscription } from '@jobstream/event-store';
import type { ProjectorStatus } from '@jobstream/contracts';
import { knownTenants } from '@jobstream/messaging';
import type { ReadModel } from './read-model/read-model';

export interface ProjectorLogger {
  log(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface ProjectorOptions {
  /** Empty the read models and project every event again from the first one. */
  rebuild?: boolean;
  /** Most commits grouped into one SQLite transaction. */
  maxGroup?: number;
  /**
   * The subscription's batch window: while the log is busy, commits are read at most this often, and each read's
   * commits share one transaction (0: every commit is read at once, and those of one delivery share it).
   */
  groupWindowMs?: number;
  logger?: ProjectorLogger;
}

const silent: ProjectorLogger = { log: () => undefined, error: () => undefined };

/**
 * Keeps the read models up to date from the event store's subscription.
 *
 * Grouping: the SQLite checkpoint — not the store's acknowledgement — says what has been applied, because every
 * (re)subscription starts from it. So the handler may acknowledge a commit as soon as it is queued in memory, and
 * the queue is written in ONE transaction (rows + checkpoint of its last commit) once the commits read together have all
 * been queued, or once `maxGroup` commits are waiting. The subscription reads the log at most every `groupWindowMs`
 * (default 10 ms) while it is busy, so catching up costs one transaction per few hundred commits, and a steady stream
 * of live commits one transaction, and one wake-up of the process, per window instead of per commit (both were the
 * projector's largest CPU costs), while a live commit still shows in the read models within the window. Nothing
 * acknowledged-but-unwritten can be lost for good:
 * - crash: the queue is gone, the checkpoint is older, and the next start redelivers from it;
 * - write failure: the queue is dropped and the subscription is restarted from the stored checkpoint;
 * - stop (SIGTERM): the subscription stops after its in-flight handler, then the queue is written.
 * And nothing is applied twice: the checkpoint moves with the rows, and rows also skip events whose stream
 * revision they already folded.
 */
export class Projector {
  private subscription: Subscription | undefined;
  private queue: CommittedBatch[] = [];
  private flushSoon: NodeJS.Immediate | undefined;
  /** Handlers of a subscription being replaced refuse further commits, so none is queued after a failure. */
  private generation = 0;
  private recovering: Promise<void> | undefined;
  private cancelBackoff: (() => void) | undefined;
  private stopping = false;
  private readonly maxGroup: number;
  private readonly groupWindowMs: number;
  private readonly logger: ProjectorLogger;

  constructor(
    private readonly store: EventStore,
    private readonly readModel: ReadModel,
    private readonly options: ProjectorOptions = {},
  ) {
    this.maxGroup = options.maxGroup ?? 500;
    this.groupWindowMs = options.groupWindowMs ?? 10;
    this.logger = options.logger ?? silent;
  }

  async start(): Promise<void> {
    if (this.readModel.created) {
      this.logger.log('new read-model schema: projecting every event');
    } else if (this.options.rebuild) {
      this.readModel.reset();
      this.logger.log('rebuilding the read models from the first event');
    }
    await this.subscribe();
    this.logger.log(`projecting from ${this.readModel.checkpoint() ?? 'the first event'}`);
  }

  /** Resolves once the in-flight commit and everything acknowledged before it is written. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelBackoff?.();
    await this.recovering;
    await this.subscription?.stop();
    this.subscription = undefined;
    this.flush();
  }

  status(): ProjectorStatus {
    return { ...this.readModel.status(), subscribed: this.subscription !== undefined && this.recovering === undefined };
  }

  private async subscribe(): Promise<void> {
    const generation = ++this.generation;
    this.subscription = await this.store.subscribe({
      fromPosition: this.readModel.checkpoint() ?? undefined,
      batchWindowMs: this.groupWindowMs,
      handler: async (batch) => this.accept(generation, batch),
    });
  }

  private accept(generation: number, batch: CommittedBatch): void {
    if (generation !== this.generation) throw new Error('subscription is being restarted');
    for (const { event } of batch.events) knownTenants.note(event.tenant);
    this.queue.push(batch);
    if (this.queue.length >= this.maxGroup) this.flush();
    // Commits read together are handed over one after another without yielding to I/O: the next turn of the
    // event loop comes after the last of them.
    else this.flushSoon ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.flushSoon = undefined;
    const group = this.queue;
    this.queue = [];
    try {
      this.readModel.applyBatches(group);
    } catch (error) {
      this.logger.error(`could not apply ${group.length} commit(s); resuming from the stored checkpoint`, error);
      this.recover();
    }
  }

  private recover(): void {
    if (this.recovering || this.stopping) return;
    this.generation++;
    this.recovering = (async () => {
      await this.subscription?.stop();
      this.subscription = undefined;
      for (let attempt = 0; !this.stopping; attempt++) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(30_000, 100 * 2 ** attempt));
          this.cancelBackoff = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (this.stopping) return;
        try {
          await this.subscribe();
          return;
        } catch (error) {
          this.logger.error('could not resubscribe to the event store', error);
        }
      }
    })().finally(() => {
      this.recovering = undefined;
      this.cancelBackoff = undefined;
    });
  }
}
