import Database from 'better-sqlite3';
import { upcast, type DomainEvent } from '@jobstream/domain';
import type { CommittedBatch, RecordedEvent } from '@jobstream/event-store';
import { jobCountDeltas, projectBatches, type DefinitionRow, type JobRow, type RowSource } from '@jobstream/projections';
import type { RawCommit } from './log-reader';

/** The read-model columns the replay rebuilds and compares; the compiler keeps them in step with the row types. */
export const JOB_COLUMNS = [
  'tenant', 'job_id', 'type', 'status', 'priority', 'progress_percent', 'progress_message', 'attempt', 'executor_id',
  'definition_id', 'submitted_at', 'started_at', 'ended_at', 'updated_at', 'last_error', 'deleted', 'version', 'state',
] as const satisfies readonly (keyof JobRow)[];
export const DEFINITION_COLUMNS = [
  'tenant', 'definition_id', 'name', 'description', 'type', 'status', 'enabled', 'schedule', 'last_run_result',
  'last_run_time', 'next_run_time', 'active_on_host', 'current_job_id', 'updated_at', 'deleted', 'version', 'state',
] as const satisfies readonly (keyof DefinitionRow)[];
type Exhaustive<T extends never> = T;
export type JobColumnsAreComplete = Exhaustive<Exclude<keyof JobRow, (typeof JOB_COLUMNS)[number]>>;
export type DefinitionColumnsAreComplete = Exhaustive<Exclude<keyof DefinitionRow, (typeof DEFINITION_COLUMNS)[number]>>;

export interface ReadModelTable {
  name: 'jobs' | 'job_definitions' | 'job_counts';
  key: readonly string[];
  columns: readonly string[];
}
export const READ_MODEL_TABLES: readonly ReadModelTable[] = [
  { name: 'jobs', key: ['tenant', 'job_id'], columns: JOB_COLUMNS },
  { name: 'job_definitions', key: ['tenant', 'definition_id'], columns: DEFINITION_COLUMNS },
  { name: 'job_counts', key: ['tenant', 'type', 'status'], columns: ['tenant', 'type', 'status', 'n'] },
];

const decoder = new TextDecoder();

/** A raw commit as the event store's subscription would deliver it: parsed once and upcast. */
export function decodeCommit(commit: RawCommit): CommittedBatch {
  return committedBatch(JSON.parse(decoder.decode(commit.data)) as DomainEvent[], commit.seq, commit.firstRevision);
}

/** One commit's stored events as the event store's subscription delivers them: upcast, with revisions and position. */
export function committedBatch(events: DomainEvent[], seq: number, firstRevision: number): CommittedBatch {
  const position = String(seq);
  const recorded: RecordedEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) recorded[i] = { event: upcast(events[i]), revision: firstRevision + i, position };
  return { events: recorded, position };
}

/**
 * The projector's read models rebuilt in a SQLite file of their own, through the projector's projection code
 * (projectBatches, jobCountDeltas). Commits are applied in groups, one transaction per group, like the projector;
 * the file has the rows and keys but not the listing indexes, which only serve queries.
 */
export class ReadModelRebuild {
  readonly db: Database.Database;
  eventsApplied = 0;
  position: string | null = null;
  private readonly applyGroup: (batches: readonly CommittedBatch[]) => void;

  constructor(readonly path: string) {
    this.db = new Database(path);
    // A scratch file: losing it in a crash costs a rerun, so no journal and no fsync.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -262144');
    for (const t of READ_MODEL_TABLES) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${t.name} (${t.columns.join(', ')}, PRIMARY KEY (${t.key.join(', ')}))`);
    }
    const jobRow = this.db.prepare<[string, string], JobRow>(`SELECT * FROM jobs WHERE tenant = ? AND job_id = ?`);
    const definitionRow = this.db.prepare<[string, string], DefinitionRow>(`SELECT * FROM job_definitions WHERE tenant = ? AND definition_id = ?`);
    const source: RowSource = {
      job: (tenant, jobId) => jobRow.get(tenant, jobId) ?? null,
      definition: (tenant, definitionId) => definitionRow.get(tenant, definitionId) ?? null,
    };
    // An update in place, not INSERT OR REPLACE, which deletes and reinserts the wide row on every change.
    const upsert = (t: ReadModelTable) =>
      this.db.prepare(
        `INSERT INTO ${t.name} (${t.columns.join(', ')}) VALUES (${t.columns.map((c) => `@${c}`).join(', ')}) ` +
          `ON CONFLICT (${t.key.join(', ')}) DO UPDATE SET ${t.columns.filter((c) => !t.key.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ')}`,
      );
    const upsertJob = upsert(READ_MODEL_TABLES[0]);
    const upsertDefinition = upsert(READ_MODEL_TABLES[1]);
    const addCount = this.db.prepare(
      `INSERT INTO job_counts (tenant, type, status, n) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, type, status) DO UPDATE SET n = n + excluded.n`,
    );
    const dropZeroCount = this.db.prepare(`DELETE FROM job_counts WHERE tenant = ? AND type = ? AND status = ? AND n = 0`);
    this.applyGroup = this.db.transaction((batches: readonly CommittedBatch[]) => {
      const changes = projectBatches(batches, source);
      for (const { after } of changes.jobs) upsertJob.run(after);
      for (const { after } of changes.definitions) upsertDefinition.run(after);
      for (const d of jobCountDeltas(changes.jobs)) {
        addCount.run(d.tenant, d.type, d.status, d.delta);
        dropZeroCount.run(d.tenant, d.type, d.status);
      }
      this.eventsApplied += changes.eventsApplied;
    });
  }

  apply(batches: readonly CommittedBatch[]): void {
    if (batches.length === 0) return;
    this.applyGroup(batches);
    this.position = batches[batches.length - 1].position;
  }

  job(tenant: string, jobId: string): JobRow | null {
    return (this.db.prepare(`SELECT * FROM jobs WHERE tenant = ? AND job_id = ?`).get(tenant, jobId) as JobRow | undefined) ?? null;
  }

  counts(tenant?: string): { tenant: string; type: string; status: string; n: number }[] {
    const where = tenant === undefined ? '' : 'WHERE tenant = ?';
    return this.db.prepare(`SELECT tenant, type, status, n FROM job_counts ${where} ORDER BY tenant, type, status`).all(...(tenant === undefined ? [] : [tenant])) as {
      tenant: string;
      type: string;
      status: string;
      n: number;
    }[];
  }

  rowCount(table: ReadModelTable['name']): number {
    return this.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
