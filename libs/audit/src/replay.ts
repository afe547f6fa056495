import { evolveOrchestrationRun, initialOrchestrationRunState, isOrchestrationRunEvent, type OrchestrationRunState } from '@jobstream/domain';
import { walkLog, type LogLocation } from './log-reader';
import { ProjectionThread } from './projection-thread';
import { decodeCommit, READ_MODEL_TABLES, ReadModelRebuild, type ReadModelTable } from './rebuild';
import { untilFilter } from './until-filter';

export type ReplayTarget = { kind: 'all' } | { kind: 'job'; id: string } | { kind: 'orchestration'; id: string };

export interface ReplayOptions {
  tenant?: string;
  target: ReplayTarget;
  /** Only events that occurred at or before this instant (ISO-8601). */
  until?: string;
  /** Only commits up to this log position. */
  untilSeq?: number;
  fromSeq?: number;
  /** Commits per SQLite transaction. */
  groupSize?: number;
  onStart?: (total: number) => void;
  onProgress?: (commits: number, events: number) => void;
}

export interface ReplayProgress {
  commits: number;
  events: number;
  lastSeq: number;
}

export const DEFAULT_GROUP_SIZE = 10_000;

const streamOfTarget = (tenant: string | undefined, target: ReplayTarget): string | undefined => {
  if (target.kind === 'all') return undefined;
  if (!tenant) throw new Error(`--${target.kind} needs a tenant`);
  return `${tenant}.${target.kind === 'job' ? 'job' : 'orchestration-run'}.${target.id}`;
};

/**
 * Replays the log into `rebuild` through the projector's projection code; resumable with fromSeq. The walk runs
 * here and the projection in a worker thread with its own connection to the rebuild's file, so the file must be
 * on disk, and `rebuild`'s connection sees the result once the promise resolves.
 */
export async function replayInto(location: LogLocation, rebuild: ReadModelRebuild, options: ReplayOptions): Promise<ReplayProgress> {
  if (rebuild.path === ':memory:' || rebuild.path === '') throw new Error('a replay rebuilds into a file: its projection thread opens the file too');
  untilFilter(options.until); // a malformed until fails here, before the walk, not in the worker
  const projection = new ProjectionThread({ path: rebuild.path, until: options.until, groupSize: options.groupSize ?? DEFAULT_GROUP_SIZE }, options.onProgress);
  try {
    const walked = await walkLog(location, {
      tenant: options.tenant,
      streamId: streamOfTarget(options.tenant, options.target),
      fromSeq: options.fromSeq,
      untilSeq: options.untilSeq,
      onStart: options.onStart,
      onCommit: (commit) => projection.add(commit),
    });
    const done = await projection.finish();
    rebuild.eventsApplied += done.eventsApplied;
    rebuild.position = done.position ?? rebuild.position;
    return { commits: projection.commits, events: projection.events, lastSeq: walked.lastSeq };
  } finally {
    await projection.stop();
  }
}

/** An orchestration run's state folded from its stream: the domain's own evolve, events upcast on the way. */
export async function replayOrchestrationRun(
  location: LogLocation,
  tenant: string,
  runId: string,
  options: { until?: string } = {},
): Promise<{ state: OrchestrationRunState; events: number }> {
  const keep = untilFilter(options.until);
  let state = initialOrchestrationRunState;
  let events = 0;
  await walkLog(location, {
    streamId: streamOfTarget(tenant, { kind: 'orchestration', id: runId }),
    onCommit: (commit) => {
      const decoded = decodeCommit(commit);
      const batch = keep ? keep(decoded) : decoded;
      for (const { event } of batch?.events ?? []) {
        if (!isOrchestrationRunEvent(event)) continue;
        state = evolveOrchestrationRun(state, event);
        events++;
      }
    },
  });
  return { state, events };
}

export interface Difference {
  table: ReadModelTable['name'];
  key: Record<string, unknown>;
  /** missing-live: the replay has a row the live read model lacks; missing-replay: the other way round. */
  kind: 'missing-live' | 'missing-replay' | 'changed';
  columns: { column: string; live: unknown; replayed: unknown }[];
}

export interface VerifyResult {
  differences: Difference[];
  /** The live projector's checkpoint the comparison was made at. */
  livePosition: string | null;
  replay: ReplayProgress;
}

/**
 * Rebuilds the read models up to the live projector's checkpoint and compares every row. The live file is
 * attached read-only in spirit (only SELECTs); the comparison runs in one read transaction, and if the projector
 * moved on since the replay started, the replay first catches up to the checkpoint that transaction sees.
 */
export async function verifyReadModels(
  location: LogLocation,
  rebuild: ReadModelRebuild,
  livePath: string,
  options: Omit<ReplayOptions, 'until' | 'untilSeq' | 'fromSeq'>,
): Promise<VerifyResult> {
  const db = rebuild.db;
  db.prepare(`ATTACH DATABASE ? AS live`).run(livePath);
  const liveCheckpoint = () => (db.prepare(`SELECT position FROM live.projector_checkpoint WHERE id = 1`).pluck().get() as string | null | undefined) ?? null;
  const first = liveCheckpoint();
  const replay = first === null ? { commits: 0, events: 0, lastSeq: 0 } : await replayInto(location, rebuild, { ...options, untilSeq: Number(first) });
  db.exec('BEGIN');
  try {
    const position = liveCheckpoint();
    if (position !== null && Number(position) > Number(first ?? 0)) {
      const more = await replayInto(location, rebuild, { ...options, fromSeq: Number(first ?? 0) + 1, untilSeq: Number(position) });
      replay.commits += more.commits;
      replay.events += more.events;
      replay.lastSeq = Math.max(replay.lastSeq, more.lastSeq);
    }
    const differences = READ_MODEL_TABLES.flatMap((t) => diffTable(rebuild, t, options));
    return { differences, livePosition: position, replay };
  } finally {
    db.exec('COMMIT');
    db.exec('DETACH DATABASE live');
  }
}

function diffTable(rebuild: ReadModelRebuild, t: ReadModelTable, scope: { tenant?: string; target: ReplayTarget }): Difference[] {
  const db = rebuild.db;
  const where: string[] = [];
  const params: unknown[] = [];
  if (scope.tenant !== undefined) {
    where.push('tenant = ?');
    params.push(scope.tenant);
  }
  if (scope.target.kind === 'job') {
    if (t.name === 'job_definitions') return [];
    if (t.name === 'jobs') {
      where.push('job_id = ?');
      params.push(scope.target.id);
    }
    if (t.name === 'job_counts') return [];
  }
  if (scope.target.kind === 'orchestration') return [];
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const cols = t.columns.join(', ');
  const keyCols = t.key.join(', ');
  const onlyIn = (a: string, b: string) =>
    db.prepare(`SELECT ${keyCols} FROM (SELECT ${cols} FROM ${a}.${t.name} ${filter} EXCEPT SELECT ${cols} FROM ${b}.${t.name} ${filter})`).all(...params, ...params) as Record<
      string,
      unknown
    >[];
  const keys = new Map<string, Record<string, unknown>>();
  for (const key of [...onlyIn('live', 'main'), ...onlyIn('main', 'live')]) keys.set(JSON.stringify(t.key.map((k) => key[k])), key);
  const byKey = (schema: string) => db.prepare(`SELECT ${cols} FROM ${schema}.${t.name} WHERE ${t.key.map((k) => `${k} = ?`).join(' AND ')}`);
  const live = byKey('live');
  const replayed = byKey('main');
  const out: Difference[] = [];
  for (const key of keys.values()) {
    const values = t.key.map((k) => key[k]);
    const l = live.get(...values) as Record<string, unknown> | undefined;
    const r = replayed.get(...values) as Record<string, unknown> | undefined;
    if (!l || !r) {
      out.push({ table: t.name, key, kind: l ? 'missing-replay' : 'missing-live', columns: [] });
      continue;
    }
    const columns = t.columns.filter((c) => l[c] !== r[c]).map((c) => ({ column: c, live: l[c], replayed: r[c] }));
    out.push({ table: t.name, key, kind: 'changed', columns });
  }
  return out;
}
