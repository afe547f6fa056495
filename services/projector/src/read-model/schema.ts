/**
 * Bumped whenever a table, an index or the folded JobState kept in a row changes. Read models are disposable: a file written by another version is
 * dropped and rebuilt from the event store rather than migrated.
 */
export const SCHEMA_VERSION = 4;

/**
 * The jobs the cross-tenant queries look at (orphan scan, deadline watchers): few at any time, however many jobs
 * have ended. Those queries repeat this condition verbatim, which is what lets SQLite use the partial index on it.
 */
export const ACTIVE_JOB = `deleted = 0 AND status IN ('RUNNING', 'TIMED_OUT')`;

export const READ_MODEL_TABLES = ['jobs', 'job_counts', 'job_definitions', 'projector_checkpoint'] as const;

/*
 * Index choices, for listings at a million jobs and more:
 * - Every listing is one tenant, newest first, paged by keyset on (submitted_at, job_id) descending, so each index
 *   ends in (submitted_at, job_id): the filter's equality columns first, then the order. SQLite walks the index
 *   backwards from the cursor and stops after `limit` rows — no sort, no OFFSET.
 * - One index per filter the API offers (none, status, type, type+status, definition); `since` is a range on the
 *   same submitted_at column so it narrows whichever of them is used.
 * - All are partial (`WHERE deleted = 0`): deleted jobs are never listed, so they cost no index space, and the
 *   queries repeat `deleted = 0` verbatim so the planner may use them.
 * - The cross-tenant index holds active jobs only (ACTIVE_JOB). Its updated_at moves with every event, so an index
 *   of all jobs on it had its entry deleted and reinserted at every transition of every job; now a job enters it
 *   when it starts and leaves it when it ends, and a job that goes from QUEUED to COMPLETED in one commit never
 *   touches it.
 * - Stats come from job_counts, kept in the same transaction as the rows, instead of counting a million rows.
 * The `state` JSON makes rows wide, so jobs keeps its rowid (a WITHOUT ROWID table would store whole rows in its
 * primary-key B-tree, and every secondary index entry would repeat the key instead of an 8-byte rowid).
 */
export const SCHEMA = `
CREATE TABLE jobs (
  tenant TEXT NOT NULL,
  job_id TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  progress_percent REAL NOT NULL,
  progress_message TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  executor_id TEXT,
  definition_id TEXT,
  submitted_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT,
  updated_at TEXT NOT NULL,
  last_error TEXT,
  deleted INTEGER NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  UNIQUE (tenant, job_id)
);
CREATE INDEX jobs_recent ON jobs (tenant, submitted_at, job_id) WHERE deleted = 0;
CREATE INDEX jobs_by_status ON jobs (tenant, status, submitted_at, job_id) WHERE deleted = 0;
CREATE INDEX jobs_by_type ON jobs (tenant, type, submitted_at, job_id) WHERE deleted = 0;
CREATE INDEX jobs_by_type_status ON jobs (tenant, type, status, submitted_at, job_id) WHERE deleted = 0;
CREATE INDEX jobs_by_definition ON jobs (tenant, definition_id, submitted_at, job_id)
  WHERE deleted = 0 AND definition_id IS NOT NULL;
-- Cross-tenant: silent RUNNING jobs for the orphan scan, and the active jobs a deadline watcher starts from.
CREATE INDEX jobs_active ON jobs (status, updated_at) WHERE ${ACTIVE_JOB};

CREATE TABLE job_counts (
  tenant TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (tenant, type, status)
) WITHOUT ROWID;

CREATE TABLE job_definitions (
  tenant TEXT NOT NULL,
  definition_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  schedule TEXT,
  last_run_result TEXT,
  last_run_time TEXT,
  next_run_time TEXT,
  active_on_host TEXT,
  current_job_id TEXT,
  updated_at TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  UNIQUE (tenant, definition_id)
);
CREATE INDEX job_definitions_by_name ON job_definitions (tenant, name, definition_id) WHERE deleted = 0;

CREATE TABLE projector_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position TEXT,
  events_applied INTEGER NOT NULL,
  batches_applied INTEGER NOT NULL,
  last_event_at TEXT
);
INSERT INTO projector_checkpoint (id, position, events_applied, batches_applied, last_event_at) VALUES (1, NULL, 0, 0, NULL);
`;
