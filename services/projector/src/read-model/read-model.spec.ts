import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decideJob, evolveJob, initialJobState, JOB_STATUSES, type JobCommand, type JobEvent } from '@jobstream/domain';
import type { CommittedBatch } from '@jobstream/event-store';
import { ProjectionGapError } from '@jobstream/projections';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursor';
import { ACTIVE_JOBS, listJobsQuery, ReadModel, SILENT_RUNNING_JOBS, type JobListFilter } from './read-model';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'read-model-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One commit per command for job j1, positions p1, p2, …; stream revisions as the store would number them. */
function commitsOf(commands: JobCommand[]): CommittedBatch[] {
  let state = initialJobState;
  let n = 0;
  return commands.map((command, i) => {
    const ctx = {
      tenant: 'acme',
      now: new Date(Date.UTC(2026, 2, 1, 10, 0, i)),
      newId: () => `e${++n}`,
      actor: 'user:test',
      correlationId: 'c',
      causationId: null,
    };
    const events: JobEvent[] = decideJob(command, state, ctx);
    const first = state.version;
    state = events.reduce(evolveJob, state);
    const position = `p${i + 1}`;
    return { position, events: events.map((event, k) => ({ event, revision: first + k, position })) };
  });
}

const lifeCycle = commitsOf([
  { type: 'submit', jobId: 'j1', jobType: 'resize', payload: {} },
  { type: 'start', executorId: 'x1' },
  { type: 'fail', executorId: 'x1', message: 'boom' },
  { type: 'retry' },
]);

describe('ReadModel', () => {
  it('skips events a row already folded, so a redelivered commit changes nothing but the commit count', () => {
    const readModel = ReadModel.open(join(dir, 'redelivery.sqlite'));
    readModel.applyBatches(lifeCycle);
    const once = readModel.getJob('acme', 'j1');
    readModel.applyBatches(lifeCycle.slice(1));
    expect(readModel.getJob('acme', 'j1')).toEqual(once);
    expect(once).toMatchObject({ status: 'QUEUED', attempt: 2, lastError: 'boom' });
    expect(readModel.status()).toMatchObject({ position: 'p4', eventsApplied: 4, batchesApplied: 7 });
    expect(readModel.jobStats('acme').byStatus.QUEUED).toBe(1);
    readModel.close();
  });

  it('forgets the rows it wrote when reset, so a rebuild folds every event again', () => {
    const readModel = ReadModel.open(join(dir, 'recent-rows.sqlite'));
    readModel.applyBatches(lifeCycle);
    readModel.reset();
    readModel.applyBatches(lifeCycle.slice(0, 2));
    expect(readModel.getJob('acme', 'j1')).toMatchObject({ status: 'RUNNING', attempt: 1 });
    readModel.close();
  });

  it('refuses a commit that skips revisions of a stream, and writes nothing of its group', () => {
    const readModel = ReadModel.open(join(dir, 'gap.sqlite'));
    readModel.applyBatches(lifeCycle.slice(0, 1));
    expect(() => readModel.applyBatches([lifeCycle[2], lifeCycle[1]])).toThrow(ProjectionGapError);
    expect(readModel.status()).toMatchObject({ position: 'p1', eventsApplied: 1, batchesApplied: 1 });
    expect(readModel.getJob('acme', 'j1')?.status).toBe('QUEUED');
    readModel.close();
  });

  it('groups commits in any way with the same result', () => {
    const whole = ReadModel.open(join(dir, 'whole.sqlite'));
    const single = ReadModel.open(join(dir, 'single.sqlite'));
    whole.applyBatches(lifeCycle);
    for (const commit of lifeCycle) single.applyBatches([commit]);
    expect(single.getJob('acme', 'j1')).toEqual(whole.getJob('acme', 'j1'));
    expect(single.jobStats('acme')).toEqual(whole.jobStats('acme'));
    expect(single.status()).toEqual(whole.status());
    whole.close();
    single.close();
  });

  it('uses WAL with synchronous=NORMAL, and starts over when the file holds another schema version', () => {
    const path = join(dir, 'pragmas.sqlite');
    ReadModel.open(path).close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma('user_version = 999');
    db.close();
    const reopened = ReadModel.open(path);
    expect(reopened.created).toBe(true);
    expect(reopened.checkpoint()).toBeNull();
    reopened.close();
    expect(ReadModel.open(path).created).toBe(false);
  });

  it('round-trips cursors and rejects anything else', () => {
    const cursor = { submittedAt: '2026-03-01T10:00:00.000Z', jobId: 'j1' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of ['', 'not base64 json', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });
});

describe('listing at scale', () => {
  const ROWS = 200_000;
  const TYPES = ['resize', 'transcode', 'report', 'email', 'backup'];
  let path: string;

  beforeAll(() => {
    path = join(dir, 'large.sqlite');
    ReadModel.open(path).close();
    const db = new Database(path);
    const insert = db.prepare(
      `INSERT INTO jobs (tenant, job_id, type, status, priority, progress_percent, progress_message, attempt, executor_id,
         definition_id, submitted_at, started_at, ended_at, updated_at, last_error, deleted, version, state)
       VALUES (?, ?, ?, ?, 0, 0, '', 1, NULL, ?, ?, NULL, NULL, ?, NULL, ?, 1, '{}')`,
    );
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
        insert.run(
          i % 10 === 0 ? 'globex' : 'acme',
          `job-${String(i).padStart(7, '0')}`,
          TYPES[i % TYPES.length],
          JOB_STATUSES[i % JOB_STATUSES.length],
          i % 4 === 0 ? `def-${i % 20}` : null,
          at,
          at,
          i % 50 === 0 ? 1 : 0,
        );
      }
    })();
    db.close();
  });

  const cursor = { submittedAt: '2026-01-02T12:00:00.000Z', jobId: 'job-0129600' };
  const filters: [string, Partial<JobListFilter>][] = [
    ['no filter', {}],
    ['status', { status: 'FAILED' }],
    ['type', { type: 'report' }],
    ['type and status', { type: 'report', status: 'RUNNING' }],
    ['definition', { definitionId: 'def-8' }],
    ['since', { since: '2026-01-02T00:00:00Z' }],
    ['status and since', { status: 'QUEUED', since: '2026-01-02T00:00:00Z' }],
    ['status after a cursor', { status: 'COMPLETED', cursor }],
    ['type after a cursor, since', { type: 'email', cursor, since: '2026-01-01T06:00:00Z' }],
  ];

  it.each(filters)('%s: searches an index in listing order instead of scanning or sorting', (_name, filter) => {
    const db = new Database(path, { readonly: true });
    const { sql, params } = listJobsQuery({ tenant: 'acme', limit: 50, ...filter });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    db.close();
    expect(plan.some((d) => /^SEARCH jobs USING (COVERING )?INDEX jobs_/.test(d))).toBe(true);
    expect(plan.filter((d) => /^SCAN jobs/.test(d) || /TEMP B-TREE/.test(d))).toEqual([]);
  });

  it.each([
    ['silent running jobs', SILENT_RUNNING_JOBS, ['2026-01-02T00:00:00.000Z', 100]],
    ['active jobs', ACTIVE_JOBS, []],
  ])('%s of every tenant: searches the index of active jobs', (_name, sql, params) => {
    const db = new Database(path, { readonly: true });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    db.close();
    expect(plan.some((d) => /^SEARCH jobs USING INDEX jobs_active/.test(d))).toBe(true);
    expect(plan.filter((d) => /^SCAN jobs/.test(d) || /TEMP B-TREE/.test(d))).toEqual([]);
  });

  it('pages newest first through a filtered listing, deleted rows excluded', () => {
    const readModel = ReadModel.open(path);
    const seen: string[] = [];
    let page = readModel.listJobs({ tenant: 'acme', status: 'FAILED', type: 'email', limit: 500 });
    for (;;) {
      seen.push(...page.items.map((j) => j.jobId));
      if (page.nextCursor === null) break;
      page = readModel.listJobs({ tenant: 'acme', status: 'FAILED', type: 'email', limit: 500, cursor: decodeCursor(page.nextCursor) });
    }
    readModel.close();
    const expected: string[] = [];
    for (let i = ROWS - 1; i >= 0; i--) {
      const matches = i % 10 !== 0 && i % 50 !== 0 && TYPES[i % TYPES.length] === 'email' && JOB_STATUSES[i % JOB_STATUSES.length] === 'FAILED';
      if (matches) expected.push(`job-${String(i).padStart(7, '0')}`);
    }
    expect(seen).toEqual(expected);
  });
});
