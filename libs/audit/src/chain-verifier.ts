import type { DomainEvent } from '@jobstream/domain';
import { eventHash, GENESIS_HASH } from '@jobstream/event-store';
import { CHECKPOINT_EVENT_TYPE, isCheckpointStream, RunningHash, type CheckpointData } from './checkpoints';
import type { RawCommit } from './log-reader';

export type FindingKind =
  /** The event's content no longer matches its own hash. */
  | 'edited'
  /** A revision never showed up: the event was deleted from the log. */
  | 'removed'
  /** A revision showed up after later revisions of its stream. */
  | 'reordered'
  /** A second event claims a revision that is already taken. */
  | 'inserted'
  /** The event's previousHash is not its predecessor's hash: the predecessor was replaced or re-hashed. */
  | 'broken-link'
  /** The event carries no hash: it was not written by the event store. */
  | 'unhashed'
  /** A message on an event subject that is not an event-store commit. */
  | 'foreign'
  /** The tenant's running hash differs from a recorded checkpoint: something before it was removed, added or changed. */
  | 'checkpoint-mismatch';

export interface Finding {
  kind: FindingKind;
  streamId: string;
  /** Stream revision of the event concerned; null when unknown. */
  revision: number | null;
  /** Log position (JetStream sequence) where it was found, or the range it is missing from. */
  position: string;
  eventId: string | null;
  detail: string;
}

interface StreamChain {
  nextRevision: number;
  lastHash: string;
  lastSeq: number;
  /** Revisions skipped so far: where the gap was noticed, and what the event after the gap says its predecessor was. */
  gaps: Map<number, { afterSeq: number; beforeSeq: number; expectedHash: string | undefined }>;
}

interface TenantRunning {
  running: RunningHash;
  checkpoints: { data: CheckpointData; seq: number }[];
}

/**
 * Checks the log commit by commit, in log order, keeping per stream only its tip and any open gaps, and per
 * tenant its running hash, compared with every checkpoint found in the log (pass them in first: a checkpoint is
 * recorded after the position it covers).
 */
export class ChainVerifier {
  readonly findings: Finding[] = [];
  events = 0;
  commits = 0;
  private readonly streams = new Map<string, StreamChain>();
  private readonly tenants = new Map<string, TenantRunning>();

  /** Registers a tenant's recorded checkpoints (from its checkpoint stream), checked as the walk passes them. */
  expectCheckpoints(tenant: string, checkpoints: { data: CheckpointData; seq: number }[]): void {
    this.tenantOf(tenant).checkpoints.push(...checkpoints);
    this.tenantOf(tenant).checkpoints.sort((a, b) => Number(a.data.position) - Number(b.data.position));
  }

  push(commit: RawCommit): void {
    this.commits++;
    let events: DomainEvent[];
    try {
      events = JSON.parse(Buffer.from(commit.data).toString('utf8')) as DomainEvent[];
      if (!Array.isArray(events) || !Number.isInteger(commit.firstRevision)) throw new Error('not a commit');
    } catch {
      this.report('foreign', commit.streamId, null, String(commit.seq), null, 'not an event-store commit (no revision header or no JSON array of events)');
      return;
    }
    const tenant = commit.streamId.split('.')[0];
    const counted = !isCheckpointStream(commit.streamId);
    const t = this.tenantOf(tenant);
    if (counted) this.passCheckpoints(tenant, t, commit.seq);
    if (commit.eventCount !== events.length) {
      this.report('foreign', commit.streamId, commit.firstRevision, String(commit.seq), null, `header says ${commit.eventCount} events, body holds ${events.length}`);
    }
    for (let i = 0; i < events.length; i++) {
      this.events++;
      this.check(commit, events[i], commit.firstRevision + i);
      if (counted) t.running.add(events[i], commit.seq);
    }
  }

  /** Ends the walk: gaps never filled are removals, checkpoints past the last event are compared with the end state. */
  finish(): Finding[] {
    for (const [streamId, chain] of this.streams) {
      for (const [revision, gap] of [...chain.gaps].sort(([a], [b]) => a - b)) {
        this.report('removed', streamId, revision, `between ${gap.afterSeq} and ${gap.beforeSeq}`, null, `revision ${revision} is missing`);
      }
    }
    for (const [tenant, t] of this.tenants) this.passCheckpoints(tenant, t, Number.MAX_SAFE_INTEGER);
    return this.findings;
  }

  private check(commit: RawCommit, event: DomainEvent, revision: number): void {
    const streamId = commit.streamId;
    const position = String(commit.seq);
    const eventId = typeof event?.eventId === 'string' ? event.eventId : null;
    let chain = this.streams.get(streamId);
    if (!chain) {
      chain = { nextRevision: 0, lastHash: GENESIS_HASH, lastSeq: 0, gaps: new Map() };
      this.streams.set(streamId, chain);
    }
    if (event === null || typeof event !== 'object') {
      this.report('foreign', streamId, revision, position, null, 'not an event object');
      return;
    }
    if (event.streamId !== streamId) {
      this.report('inserted', streamId, revision, position, eventId, `the event names stream ${String(event.streamId)}`);
    }
    const hasHash = typeof event.hash === 'string' && typeof event.previousHash === 'string';
    const actualHash = eventHash(event, hasHash ? (event.previousHash as string) : GENESIS_HASH);
    if (!hasHash) this.report('unhashed', streamId, revision, position, eventId, 'no previousHash/hash: not appended through the event store');
    else if (actualHash !== event.hash) this.report('edited', streamId, revision, position, eventId, 'content does not match its hash');

    if (revision < chain.nextRevision) {
      const gap = chain.gaps.get(revision);
      if (gap) {
        chain.gaps.delete(revision);
        this.report('reordered', streamId, revision, position, eventId, `stored after later revisions of its stream (expected between ${gap.afterSeq} and ${gap.beforeSeq})`);
        if (hasHash && gap.expectedHash !== undefined && gap.expectedHash !== event.hash) {
          this.report('broken-link', streamId, revision + 1, String(gap.beforeSeq), null, `revision ${revision + 1} does not follow this revision ${revision}`);
        }
      } else {
        this.report('inserted', streamId, revision, position, eventId, `revision ${revision} already exists (up to ${chain.nextRevision - 1} seen)`);
      }
      return;
    }
    if (revision > chain.nextRevision) {
      for (let r = chain.nextRevision; r < revision; r++) {
        chain.gaps.set(r, { afterSeq: chain.lastSeq, beforeSeq: commit.seq, expectedHash: r === revision - 1 ? event.previousHash : undefined });
      }
    } else if (hasHash && event.previousHash !== chain.lastHash) {
      this.report(
        'broken-link',
        streamId,
        revision,
        position,
        eventId,
        revision === 0 ? 'first event of the stream does not start the chain' : `previousHash is not the hash of revision ${revision - 1}: that event was replaced or re-hashed`,
      );
    }
    chain.nextRevision = revision + 1;
    chain.lastHash = hasHash ? (event.hash as string) : actualHash;
    chain.lastSeq = commit.seq;
  }

  /** Compares the running hash with every checkpoint that covers only commits before `seq`. */
  private passCheckpoints(tenant: string, t: TenantRunning, seq: number): void {
    while (t.checkpoints.length > 0 && Number(t.checkpoints[0].data.position) < seq) {
      const { data, seq: at } = t.checkpoints.shift() as { data: CheckpointData; seq: number };
      const ok = data.count === t.running.count && data.runningHash === t.running.value;
      if (!ok) {
        this.report(
          'checkpoint-mismatch',
          `${tenant}.audit.checkpoints`,
          null,
          data.position,
          null,
          `checkpoint recorded at ${at} covers ${data.count} events up to position ${data.position}; the log now has ${t.running.count} ` +
            `with ${data.runningHash === t.running.value ? 'the same' : 'a different'} running hash: events up to ${data.position} were removed, added or changed`,
        );
      }
    }
  }

  private tenantOf(tenant: string): TenantRunning {
    let t = this.tenants.get(tenant);
    if (!t) {
      t = { running: new RunningHash(), checkpoints: [] };
      this.tenants.set(tenant, t);
    }
    return t;
  }

  private report(kind: FindingKind, streamId: string, revision: number | null, position: string, eventId: string | null, detail: string): void {
    this.findings.push({ kind, streamId, revision, position, eventId, detail });
  }
}

export { CHECKPOINT_EVENT_TYPE };
