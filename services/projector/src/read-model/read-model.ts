import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  JOB_STATUSES,
  type JobStatus,
} from '@jobstream/domain';
import type { DefinitionSummary, JobPage, JobStats, JobSummary, ProjectorStatus } from '@jobstream/contracts';
import type { CommittedBatch } from '@jobstream/event-store';
import {
  definitionSummaryOf,
  jobCountDeltas,
  jobSummaryOf,
  projectBatches,
  type DefinitionRow,
  type JobRow,
  type ProjectionChanges,
  type RowChange,
  type RowSource,
} from '@jobstream/projections';
import { encodeCursor, type JobCursor } from './cursor';
import { ACTIVE_JOB, READ_MODEL_TABLES, SCHEMA, SCHEMA_VERSION } from './schema';

export interface JobListFilter {
  tenant: string;
  status?: JobStatus;
  type?: string;
  /** Any ISO-8601 instant; compared after normalising to the stored UTC form. */
  since?: string;
  definitionId?: string;
  cursor?: JobCursor;
  limit: number;
}

const JOB_COLUMNS = [
  'tenant',
  'job_id',
  'type',
  'status',
  'priority',
  'progress_percent',
  'progress_message',
  'attempt',
  'executor_id',
  'definition_id',
  'submitted_at',
  'started_at',
  'ended_at',
  'updated_at',
  'last_error',
  'deleted',
  'version',
  'state',
] as const satisfies readonly (keyof JobRow)[];

/** The key never changes, and every transition moves the version, so an UPDATE always sets at least one column. */
const MUTABLE_JOB_COLUMNS = JOB_COLUMNS.filter((c) => c !== 'tenant' && c !== 'job_id');

const DEFINITION_COLUMNS = [
  'tenant',
  'definition_id',
  'name',
  'description',
  'type',
  'status',
  'enabled',
  'schedule',
  'last_run_result',
  'last_run_time',
  'next_run_time',
  'active_on_host',
  'current_job_id',
  'updated_at',
  'deleted',
  'version',
  'state',
] as const satisfies readonly (keyof DefinitionRow)[];

const SUMMARY_COLUMNS = JOB_COLUMNS.filter((c) => c !== 'state' && c !== 'version' && c !== 'deleted').join(', ');

function upsertSql(table: string, columns: readonly string[], key: readonly string[]): string {
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return (
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ` +
    `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`
  );
}

/**
 * The listing query, shared by listJobs and the index test. Newest first; keyset paging continues strictly
 * below the cursor's (submitted_at, job_id), which a row-value comparison lets SQLite seek in the index.
 */
export function listJobsQuery(filter: JobListFilter): { sql: string; params: unknown[] } {
  const where = ['tenant = ?', 'deleted = 0'];
  const params: unknown[] = [filter.tenant];
  if (filter.type !== undefined) {
    where.push('type = ?');
    params.push(filter.type);
  }
  if (filter.status !== undefined) {
    where.push('status = ?');
    params.push(filter.status);
  }
  if (filter.definitionId !== undefined) {
    where.push('definition_id = ?');
    params.push(filter.definitionId);
  }
  if (filter.since !== undefined) {
    where.push('submitted_at >= ?');
    params.push(new Date(filter.since).toISOString());
  }
  if (filter.cursor !== undefined) {
    where.push('(submitted_at, job_id) < (?, ?)');
    params.push(filter.cursor.submittedAt, filter.cursor.jobId);
  }
  // One extra row tells whether another page exists.
  params.push(filter.limit + 1);
  return {
    sql: `SELECT ${SUMMARY_COLUMNS} FROM jobs WHERE ${where.join(' AND ')} ORDER BY submitted_at DESC, job_id DESC LIMIT ?`,
    params,
  };
}

/** The cross-tenant queries, exported for the index test. */
export const SILENT_RUNNING_JOBS = `SELECT tenant, job_id AS jobId, updated_at AS updatedAt FROM jobs
  WHERE ${ACTIVE_JOB} AND status = 'RUNNING' AND updated_at < ? ORDER BY updated_at LIMIT ?`;
export const ACTIVE_JOBS = `SELECT tenant, job_id AS jobId, status, state FROM jobs WHERE ${ACTIVE_JOB}`;

const zeroByStatus = (): Record<JobStatus, number> =>
  Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;

/** Job rows kept in memory after a write (see ReadModel.recentJobs). */
const RECENT_JOBS = 20_000;

/** The read models in one SQLite file, and the checkpoint that says which commits they contain. */
export class ReadModel {
  private readonly statements: Map<string, Database.Statement> = new Map();
  private readonly source: RowSource;
  private readonly applyTransaction: (batches: readonly CommittedBatch[]) => ProjectionChanges;
  /**
   * The job rows of the latest committed transactions, by `tenant/jobId`: a live job's next commit (started,
   * completed) finds its row here instead of a SELECT, which was the projector's largest cost at thousands of
   * jobs a second. Filled only after a transaction commits and emptied on any failure or reset, so it never
   * holds a row the file does not.
   */
  private readonly recentJobs = new Map<string, JobRow>();

  private constructor(
    private readonly db: Database.Database,
    /** True when the file was new or held another schema version: everything must be projected again. */
    readonly created: boolean,
  ) {
    const jobRow = db.prepare<[string, string], JobRow>(`SELECT * FROM jobs WHERE tenant = ? AND job_id = ?`);
    const definitionRow = db.prepare<[string, string], DefinitionRow>(
      `SELECT * FROM job_definitions WHERE tenant = ? AND definition_id = ?`,
    );
    this.source = {
      job: (tenant, jobId) => this.recentJobs.get(`${tenant}/${jobId}`) ?? jobRow.get(tenant, jobId) ?? null,
      definition: (tenant, definitionId) => definitionRow.get(tenant, definitionId) ?? null,
    };
    const insertJob = db.prepare(`INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map(() => '?').join(', ')})`);
    const writeJob = ({ before, after }: RowChange<JobRow>): void => {
      if (before === null) {
        insertJob.run(JOB_COLUMNS.map((c) => after[c]));
        return;
      }
      const changed = MUTABLE_JOB_COLUMNS.filter((c) => before[c] !== after[c]);
      this.jobUpdate(changed).run([...changed.map((c) => after[c]), after.tenant, after.job_id]);
    };
    const upsertDefinition = db.prepare(upsertSql('job_definitions', DEFINITION_COLUMNS, ['tenant', 'definition_id']));
    const addCount = db.prepare(
      `INSERT INTO job_counts (tenant, type, status, n) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant, type, status) DO UPDATE SET n = n + excluded.n`,
    );
    // Zero rows would make a dump depend on how commits were grouped into transactions.
    const dropZeroCount = db.prepare(`DELETE FROM job_counts WHERE tenant = ? AND type = ? AND status = ? AND n = 0`);
    const saveCheckpoint = db.prepare(
      `UPDATE projector_checkpoint
       SET position = ?, events_applied = events_applied + ?, batches_applied = batches_applied + ?,
           last_event_at = COALESCE(?, last_event_at)
       WHERE id = 1`,
    );

    // Rows, counters and checkpoint commit together: after a crash either all of a group is there, or none of it
    // and the subscription resumes from the previous checkpoint.
    this.applyTransaction = db.transaction((batches: readonly CommittedBatch[]) => {
      const changes = projectBatches(batches, this.source);
      for (const change of changes.jobs) writeJob(change);
      for (const { after } of changes.definitions) upsertDefinition.run(after);
      for (const d of jobCountDeltas(changes.jobs)) {
        addCount.run(d.tenant, d.type, d.status, d.delta);
        dropZeroCount.run(d.tenant, d.type, d.status);
      }
      saveCheckpoint.run(batches[batches.length - 1].position, changes.eventsApplied, batches.length, changes.lastEventAt);
      return changes;
    });
  }

  static open(path: string): ReadModel {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL syncs at checkpoints only: a power cut may lose the last commits but never corrupts,
      // and lost commits are simply projected again from the older checkpoint stored with them.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      // A small page cache, and reads through a memory map instead: SQLite trims its page cache at the end of every
      // commit, at a cost that grows with the cache. The 64 MB cache this replaced took a quarter of the projector's
      // CPU per job at 200,000 jobs, and 2 MB costs a tenth less than this build's 16 MB default. Mapped pages are
      // read without a copy or a system call, so the listings lose nothing.
      db.pragma('cache_size = -2000');
      db.pragma('mmap_size = 1073741824');
      const created = db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION;
      if (created) {
        db.transaction(() => {
          for (const table of READ_MODEL_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
          db.exec(SCHEMA);
          db.pragma(`user_version = ${SCHEMA_VERSION}`);
        })();
      }
      return new ReadModel(db, created);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Applies consecutive commits in one transaction and moves the checkpoint to the last one. */
  applyBatches(batches: readonly CommittedBatch[]): void {
    if (batches.length === 0) return;
    let changes: ProjectionChanges;
    try {
      changes = this.applyTransaction(batches);
    } catch (error) {
      this.recentJobs.clear();
      throw error;
    }
    for (const { after } of changes.jobs) {
      const key = `${after.tenant}/${after.job_id}`;
      this.recentJobs.delete(key);
      this.recentJobs.set(key, after);
    }
    // Map order is insertion order: drop the rows written longest ago.
    for (const key of this.recentJobs.keys()) {
      if (this.recentJobs.size <= RECENT_JOBS) break;
      this.recentJobs.delete(key);
    }
  }

  /** Where to resume the subscription; null means from the very start. */
  checkpoint(): string | null {
    return this.statement(`SELECT position FROM projector_checkpoint WHERE id = 1`).pluck().get() as string | null;
  }

  status(): Omit<ProjectorStatus, 'subscribed'> {
    const row = this.statement(`SELECT position, events_applied, batches_applied, last_event_at FROM projector_checkpoint WHERE id = 1`).get() as {
      position: string | null;
      events_applied: number;
      batches_applied: number;
      last_event_at: string | null;
    };
    return {
      position: row.position,
      eventsApplied: row.events_applied,
      batchesApplied: row.batches_applied,
      lastEventAt: row.last_event_at,
    };
  }

  /** Empties every read model and the checkpoint at once, for a rebuild from the first event. */
  reset(): void {
    this.recentJobs.clear();
    this.db.transaction(() => {
      for (const table of READ_MODEL_TABLES) if (table !== 'projector_checkpoint') this.db.exec(`DELETE FROM ${table}`);
      this.db.exec(
        `UPDATE projector_checkpoint SET position = NULL, events_applied = 0, batches_applied = 0, last_event_at = NULL WHERE id = 1`,
      );
    })();
  }

  listJobs(filter: JobListFilter): JobPage {
    const { sql, params } = listJobsQuery(filter);
    const rows = this.statement(sql).all(...params) as JobRow[];
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(jobSummaryOf),
      nextCursor: rows.length > filter.limit ? encodeCursor({ submittedAt: last.submitted_at, jobId: last.job_id }) : null,
    };
  }

  /** Null for an unknown job and for a deleted one, which no listing shows either. */
  getJob(tenant: string, jobId: string): JobSummary | null {
    const row = this.statement(`SELECT ${SUMMARY_COLUMNS} FROM jobs WHERE tenant = ? AND job_id = ? AND deleted = 0`).get(tenant, jobId) as
      | JobRow
      | undefined;
    return row ? jobSummaryOf(row) : null;
  }

  jobStats(tenant: string): JobStats {
    const rows = this.statement(`SELECT type, status, n FROM job_counts WHERE tenant = ? ORDER BY type, status`).all(tenant) as {
      type: string;
      status: JobStatus;
      n: number;
    }[];
    const stats: JobStats = { byStatus: zeroByStatus(), byType: {} };
    for (const { type, status, n } of rows) {
      stats.byStatus[status] += n;
      (stats.byType[type] ??= zeroByStatus())[status] += n;
    }
    return stats;
  }

  listDefinitions(tenant: string): DefinitionSummary[] {
    const rows = this.statement(`SELECT * FROM job_definitions WHERE tenant = ? AND deleted = 0 ORDER BY name, definition_id`).all(
      tenant,
    ) as DefinitionRow[];
    return rows.map(definitionSummaryOf);
  }

  getDefinition(tenant: string, definitionId: string): DefinitionSummary | null {
    const row = this.statement(`SELECT * FROM job_definitions WHERE tenant = ? AND definition_id = ? AND deleted = 0`).get(
      tenant,
      definitionId,
    ) as DefinitionRow | undefined;
    return row ? definitionSummaryOf(row) : null;
  }

  /** RUNNING jobs of every tenant with no event since `before` (ISO), oldest first. */
  silentRunningJobs(before: string, limit: number): { tenant: string; jobId: string; updatedAt: string }[] {
    return this.statement(SILENT_RUNNING_JOBS).all(new Date(before).toISOString(), limit) as {
      tenant: string;
      jobId: string;
      updatedAt: string;
    }[];
  }

  /** RUNNING and TIMED_OUT jobs of every tenant with their folded state, and the checkpoint they reflect. */
  activeJobs(): { position: string | null; jobs: { tenant: string; jobId: string; status: JobStatus; state: string }[] } {
    const read = this.db.transaction(() => ({
      position: this.checkpoint(),
      jobs: this.statement(ACTIVE_JOBS).all() as { tenant: string; jobId: string; status: JobStatus; state: string }[],
    }));
    return read();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * An UPDATE of the given columns of one job, prepared once per column set (a handful: one per kind of transition).
   * Only the columns a transition changed are set: SQLite rewrites an index only when the UPDATE names one of its
   * columns, so a job's start or end leaves the key and the submission-ordered indexes alone, where setting every
   * column (the upsert this replaced) deleted and reinserted the entry of all seven indexes.
   */
  private jobUpdate(columns: readonly string[]): Database.Statement {
    return this.statement(`UPDATE jobs SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE tenant = ? AND job_id = ?`);
  }

  /** SQL that varies (listing filters, updated columns): each variant is prepared once. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
