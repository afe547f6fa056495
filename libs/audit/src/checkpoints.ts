import { createHash, randomUUID } from 'node:crypto';
import { makeEvent, type DomainEvent } from '@jobstream/domain';
import { eventHash, GENESIS_HASH, type EventStore } from '@jobstream/event-store';
import { walkLog, type LogLocation } from './log-reader';

export const CHECKPOINT_EVENT_TYPE = 'audit.checkpoint-recorded';
/** A checkpoint every this many events of a tenant, unless told otherwise. */
export const DEFAULT_CHECKPOINT_EVERY = 1_000;

export const checkpointStreamOf = (tenant: string): string => `${tenant}.audit.checkpoints`;
export const isCheckpointStream = (streamId: string): boolean => streamId.endsWith('.audit.checkpoints');

/** The running hash of a tenant's log after `count` events, the last of them in the commit at `position`. */
export interface CheckpointData {
  position: string;
  runningHash: string;
  count: number;
}

/**
 * runningHash(n) = hex(SHA-256(runningHash(n-1) + hash(n))), from GENESIS_HASH, over the tenant's events in log
 * order except the checkpoints themselves. hash(n) is recomputed from the event's content (not the stored field),
 * so an edit changes the running hash whether or not the editor also rewrote the event's hash.
 */
export class RunningHash {
  value = GENESIS_HASH;
  count = 0;
  position = '0';

  static from(checkpoint: CheckpointData | undefined): RunningHash {
    const running = new RunningHash();
    if (checkpoint) {
      running.value = checkpoint.runningHash;
      running.count = checkpoint.count;
      running.position = checkpoint.position;
    }
    return running;
  }

  add(event: DomainEvent, seq: number): void {
    const hash = eventHash(event, event.previousHash ?? GENESIS_HASH);
    this.value = createHash('sha256').update(this.value + hash, 'utf8').digest('hex');
    this.count++;
    this.position = String(seq);
  }

  snapshot(): CheckpointData {
    return { position: this.position, runningHash: this.value, count: this.count };
  }
}

export async function lastCheckpoint(store: EventStore, tenant: string): Promise<{ data: CheckpointData; revision: number } | undefined> {
  const recorded = await store.read(checkpointStreamOf(tenant));
  const last = recorded[recorded.length - 1];
  return last ? { data: last.event.data as CheckpointData, revision: last.revision } : undefined;
}

export interface CheckpointRun {
  tenant: string;
  written: CheckpointData[];
}

/**
 * Extends a tenant's checkpoints to the end of its log: resumes from the last checkpoint, records one every
 * `every` events and one at the end (when anything happened since), appending with the checkpoint stream's
 * revision so two concurrent runs cannot both extend it.
 */
export async function writeCheckpoints(
  store: EventStore,
  location: LogLocation,
  tenant: string,
  options: { every?: number; actor?: string; now?: () => Date; onProgress?: (done: number, total: number) => void } = {},
): Promise<CheckpointRun> {
  const every = options.every ?? DEFAULT_CHECKPOINT_EVERY;
  const now = options.now ?? (() => new Date());
  const last = await lastCheckpoint(store, tenant);
  const running = RunningHash.from(last?.data);
  let revision = last?.revision ?? -1;
  const due: CheckpointData[] = [];
  let total = 0;
  let done = 0;
  await walkLog(location, {
    tenant,
    fromSeq: Number(running.position) + 1,
    onStart: (n) => (total = n),
    onCommit: (commit) => {
      done++;
      options.onProgress?.(done, total);
      if (isCheckpointStream(commit.streamId)) return;
      const events = JSON.parse(Buffer.from(commit.data).toString('utf8')) as DomainEvent[];
      for (const event of events) {
        running.add(event, commit.seq);
        if (running.count % every === 0) due.push(running.snapshot());
      }
    },
  });
  const final = running.snapshot();
  if (final.count > (last?.data.count ?? 0) && due[due.length - 1]?.count !== final.count) due.push(final);
  const ctx = { tenant, now: now(), newId: randomUUID, actor: options.actor ?? 'service:audit', correlationId: randomUUID(), causationId: null };
  for (const data of due) {
    const result = await store.append(checkpointStreamOf(tenant), [makeEvent(ctx, checkpointStreamOf(tenant), CHECKPOINT_EVENT_TYPE, data)], revision);
    revision = result.nextExpectedRevision;
  }
  return { tenant, written: due };
}
