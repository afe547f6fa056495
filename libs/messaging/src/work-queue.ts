import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  headers as natsHeaders,
  JetStreamManager,
  JSONCodec,
  nanos,
  NatsConnection,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { jetStreamReplicas } from './buckets';
import { publishToStream } from './stream-publish';
import { ensureStream } from './streams';
import { subjects, WORK_STREAM } from './subjects';

/**
 * A notice that a job is ready to run. Not a source of truth: the executor loads the job's events
 * and decides again, so a stale or duplicated item is harmless.
 */
export interface WorkItem {
  tenant: string;
  jobId: string;
  type: string;
  /** The event that made the job runnable (dedup key and audit trail). */
  causationId: string;
  correlationId: string;
  /** ISO time before which the job must not start (retry backoff). */
  notBefore?: string;
}

export const workCodec = JSONCodec<WorkItem>();

/**
 * How long the work stream remembers an item's message id: the same item published again within it is dropped.
 * Past it a second copy is stored, which is why executors start a job this old in the log before running it.
 */
export const WORK_DUPLICATE_WINDOW_MS = 120_000;

/** Queues a job's work item; the message id is the causation, so the same item twice is stored once. */
export async function publishWorkItem(nc: NatsConnection, item: WorkItem): Promise<void> {
  const h = natsHeaders();
  h.append('Nats-Msg-Id', item.causationId);
  await publishToStream(nc, subjects.work(item.type), workCodec.encode(item), h);
}

/** Work-queue retention: a message is gone once an executor acks it. Idempotent (see ensureStream). */
export async function ensureWorkStream(jsm: JetStreamManager): Promise<void> {
  const config = {
    name: WORK_STREAM,
    subjects: [subjects.work('>')],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(WORK_DUPLICATE_WINDOW_MS),
    num_replicas: jetStreamReplicas(),
  };
  await ensureStream(jsm, config);
}

/** How long a delivered item may go without an ack or a `working()` before JetStream redelivers it. */
export const WORK_ACK_WAIT_MS = Number(process.env.WORK_ACK_WAIT_MS || 30_000);

/** One durable consumer per job type, shared by every executor that handles the type. */
export async function ensureWorkConsumer(jsm: JetStreamManager, type: string): Promise<string> {
  const durable = `work-${type}`;
  await jsm.consumers.add(WORK_STREAM, {
    durable_name: durable,
    filter_subject: subjects.work(type),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(WORK_ACK_WAIT_MS),
    max_ack_pending: 20_000,
    num_replicas: jetStreamReplicas(),
  });
  return durable;
}
