import { ensureWorkConsumer, ensureWorkStream, WORK_ACK_WAIT_MS, WORK_STREAM, workCodec } from '@jobstream/messaging';
import { ConsumerMessages, JsMsg, NatsConnection } from 'nats';
import { JobRunner, RunnerLogger } from './job-runner';

/**
 * Lifetime of a pull request for work; the server heartbeats at half of it and two missed heartbeats make
 * the client pull again. The client's 30 s default left work waiting ~30 s after the node leading a
 * work consumer was killed on a cluster (its pending pull requests died with it).
 */
const PULL_EXPIRES_MS = 5_000;

/** Counts free run slots so one executor never runs more than its capacity at once. */
export class Slots {
  private waiters: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  /** A slot now or none: sync requests must not queue behind the work queue. */
  tryAcquire(): boolean {
    if (this.free <= 0) return false;
    this.free--;
    return true;
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

/**
 * Pulls work items for each job type this executor serves and hands them to the runner, at most
 * `capacity` at a time. A message is acked only after the job's outcome is durably appended;
 * while a job runs, `working()` keeps JetStream from redelivering it elsewhere.
 */
export class WorkConsumer {
  private readonly slots: Slots;
  private readonly streams: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly runner: JobRunner,
    private readonly capacity: number,
    private readonly logger: RunnerLogger,
    slots?: Slots,
  ) {
    this.slots = slots ?? new Slots(capacity);
  }

  async start(types: string[]): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await ensureWorkStream(jsm);
    const js = this.nc.jetstream();
    for (const type of types) {
      const durable = await ensureWorkConsumer(jsm, type);
      const consumer = await js.consumers.get(WORK_STREAM, durable);
      const messages = await consumer.consume({ max_messages: Math.min(this.capacity, 256), expires: PULL_EXPIRES_MS });
      this.streams.push(messages);
      this.loops.push(this.loop(messages));
    }
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      await this.slots.acquire();
      const task = this.handle(msg).finally(() => {
        this.slots.release();
        this.inFlight.delete(task);
      });
      this.inFlight.add(task);
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const keepAlive = setInterval(() => msg.working(), WORK_ACK_WAIT_MS / 3);
    try {
      const result = await this.runner.run(workCodec.decode(msg.data));
      if (result.kind === 'later') msg.nak(result.delayMs);
      else msg.ack();
    } catch (error) {
      // The store or NATS failed mid-way: let JetStream redeliver; the domain makes a rerun safe.
      this.logger.warn(`work item failed, will be redelivered: ${(error as Error).message}`);
      msg.nak(1000);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Stops pulling; jobs already running finish (or are released by the caller after a grace period). */
  async stop(graceMs: number): Promise<void> {
    for (const messages of this.streams) messages.stop();
    await Promise.all(this.loops);
    const settled = Promise.all(this.inFlight);
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([settled, timer]);
  }
}
