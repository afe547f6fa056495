import { JSONCodec, type KV, type NatsConnection } from 'nats';
import { openBucket } from './buckets';
import { LEASE_BUCKET } from './lease';

/**
 * Names and values shared by the executors (writers), the deadline watcher, the orphan scanner and the
 * gateway (readers) for the executor fleet's NATS KV buckets. Liveness lives here, never in the event log.
 */
export const FLEET_BUCKETS = {
  /** `<executorId>` → ExecutorRecord, refreshed at TTL/3; a dead executor's entry expires with the TTL. */
  executors: 'jobstream_executors',
  /** `<tenant>.<jobId>` → Heartbeat of a running job, written by its owner. */
  heartbeats: 'jobstream_heartbeats',
  /** `job.<tenant>.<jobId>` → holder of a singleton job, renewed every TTL/3 (shared with role leases). */
  leases: LEASE_BUCKET,
} as const;

export interface ScaledJobRef {
  tenant: string;
  jobId: string;
  type: string;
  correlationId: string;
}

export interface ExecutorRecord {
  executorId: string;
  host: string;
  types: string[];
  capacity: number;
  inFlight: number;
  startedAt: string;
  /** When this record was last written; a reader treats it as gone `ttlMs` later. */
  seenAt: string;
  ttlMs: number;
  /** Scalable jobs this executor owns: every other executor serving the type runs a replica. */
  scaled: ScaledJobRef[];
}

export const executorCodec = JSONCodec<ExecutorRecord>();

/** Heartbeat entries outlive a crashed writer only this long; readers judge liveness by `at`, not by presence. */
export const HEARTBEAT_BUCKET_TTL_MS = 3_600_000;

/**
 * The live executors. A record counts until `seenAt + ttlMs` by the reader's clock, whatever the bucket's
 * own max age (a reader may have created the bucket before any executor did).
 */
export async function listExecutors(kv: KV, now = Date.now()): Promise<ExecutorRecord[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const entries = await Promise.all(keys.map((key) => kv.get(key)));
  return entries
    .filter((e) => e !== null && e.operation === 'PUT' && e.value.length > 0)
    .map((e) => executorCodec.decode(e!.value))
    .filter((r) => now - Date.parse(r.seenAt) < r.ttlMs)
    .sort((a, b) => a.host.localeCompare(b.host) || a.executorId.localeCompare(b.executorId));
}

export interface Heartbeat {
  executorId: string;
  /** ISO instant of the beat. */
  at: string;
  /** Set for singleton jobs: silence longer than the lease means the holder is gone. */
  leaseMs?: number;
}

export const heartbeatKey = (tenant: string, jobId: string) => `${tenant}.${jobId}`;

/**
 * Opens (creating if needed) a fleet bucket. `ttlMs` is the bucket's max age; the leases bucket has none
 * because role leases judge expiry themselves.
 */
export function openFleetBucket(nc: NatsConnection, bucket: string, ttlMs?: number): Promise<KV> {
  return openBucket(nc, bucket, ttlMs === undefined ? {} : { ttl: ttlMs });
}

/** A RUNNING or TIMED_OUT job as the projector last saw it (cross-tenant). */
export interface ActiveJob {
  tenant: string;
  jobId: string;
  status: 'RUNNING' | 'TIMED_OUT';
  /** The owner when RUNNING, the previous owner when TIMED_OUT. */
  executorId: string | null;
  updatedAt: string;
  timeouts: { firstDeadlineMs: number; secondDeadlineMs: number };
}

/** The active jobs and the projector checkpoint they reflect, read in one go so a reader can resume after it. */
export interface ActiveJobsReply {
  position: string | null;
  jobs: ActiveJob[];
}
