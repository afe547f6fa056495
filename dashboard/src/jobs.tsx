import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { live } from './live';
import type { JobPage, JobSummary, JobView } from './types';
import { ActionButton, compareBy, ErrorBanner, ProgressBar, Section, SortHeader, StatusBadge, Time, useCan, type Sort } from './ui';

export const JOB_STATUSES = ['QUEUED', 'WAITING_FOR_LOCK', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
export const isTerminal = (status: string) => status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED';
const PAGE_SIZE = 25;
type Column = 'jobId' | 'type' | 'status' | 'attempt' | 'executorId' | 'submittedAt' | 'updatedAt';

/** The summary fields a job view refreshes (progress is not in the transition notices). */
const summaryOf = (row: JobSummary, job: JobView): JobSummary => ({
  ...row,
  status: job.status,
  progress: job.progress,
  attempt: job.attempt,
  executorId: job.executorId,
  updatedAt: job.timestamps.updatedAt ?? row.updatedAt,
  lastError: job.lastError?.message ?? null,
});

export interface JobFilters {
  status: string;
  type: string;
  definitionId: string;
}

/** Every job of the tenant, newest first, filtered server-side, paged by cursor, live. */
export function JobsView({ filters, onFilters }: { filters: JobFilters; onFilters: (f: JobFilters) => void }) {
  const can = useCan();
  const [rows, setRows] = useState<JobSummary[] | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<Sort<Column>>({ key: 'submittedAt', dir: 'descending' });
  const [typeInput, setTypeInput] = useState(filters.type);
  const rowsRef = useRef<JobSummary[] | null>(null);
  rowsRef.current = rows;
  const cursor = cursors[cursors.length - 1];
  const reloadTimer = useRef<number>();
  const stale = useRef(new Set<string>());
  const refreshTimer = useRef<number>();

  const query = (c: string | null) => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filters.status) q.set('status', filters.status);
    if (filters.type) q.set('type', filters.type);
    if (filters.definitionId) q.set('definitionId', filters.definitionId);
    if (c) q.set('cursor', c);
    return `/jobs?${q}`;
  };

  const load = () =>
    api<JobPage>('GET', query(cursor)).then(
      (page) => {
        setRows(page.items);
        setNext(page.nextCursor);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );

  useEffect(() => {
    setRows(null);
    void load();
  }, [filters.status, filters.type, filters.definitionId, cursor]);

  useEffect(() => {
    // Rows on the page change in place at once; their progress and executor come from a read of the job.
    const refreshStale = () => {
      const ids = [...stale.current];
      stale.current.clear();
      for (const id of ids) {
        api<JobView>('GET', `/jobs/${encodeURIComponent(id)}`).then(
          (job) => setRows((current) => current?.map((r) => (r.jobId === id ? summaryOf(r, job) : r)) ?? current),
          () => undefined,
        );
      }
    };
    const off = live.on((t) => {
      if (t.aggregate !== 'job') return;
      const current = rowsRef.current;
      if (current?.some((r) => r.jobId === t.jobId)) {
        if (t.type === 'job.deleted') {
          setRows(current.filter((r) => r.jobId !== t.jobId));
          return;
        }
        if (t.status) setRows(current.map((r) => (r.jobId === t.jobId ? { ...r, status: t.status as JobSummary['status'] } : r)));
        stale.current.add(t.jobId);
        window.clearTimeout(refreshTimer.current);
        refreshTimer.current = window.setTimeout(refreshStale, 150);
      } else if (cursor === null && (t.type === 'job.submitted' || !filters.status || t.status === filters.status)) {
        // A job new to the first page (submitted, or now matching the status filter): reload the page.
        window.clearTimeout(reloadTimer.current);
        reloadTimer.current = window.setTimeout(() => void load(), 300);
      }
    });
    const offReconnect = live.onReconnect(() => void load());
    return () => {
      off();
      offReconnect();
      window.clearTimeout(reloadTimer.current);
      window.clearTimeout(refreshTimer.current);
    };
  }, [filters.status, filters.type, filters.definitionId, cursor]);

  const sorted = useMemo(() => (rows ? [...rows].sort(compareBy<JobSummary>(sort.key, sort.dir)) : null), [rows, sort]);
  const header = (label: string, column: Column) => <SortHeader label={label} column={column} sort={sort} onSort={setSort} />;
  const setFilter = (f: Partial<JobFilters>) => {
    setCursors([null]);
    onFilters({ ...filters, ...f });
  };
  const patchRow = (id: string, job: Pick<JobSummary, 'status'>) => setRows((current) => current?.map((r) => (r.jobId === id ? { ...r, status: job.status } : r)) ?? current);

  return (
    <Section title={filters.definitionId ? `Runs of job definition ${filters.definitionId}` : 'Jobs'}>
      <form
        class="filters"
        aria-label="Filter jobs"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ type: typeInput.trim() });
        }}
      >
        <label>
          Status
          <select value={filters.status} onChange={(e) => setFilter({ status: e.currentTarget.value })}>
            <option value="">All</option>
            {JOB_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <input value={typeInput} onInput={(e) => setTypeInput(e.currentTarget.value)} placeholder="any type" size={14} />
        </label>
        <button type="submit">Apply</button>
        {filters.definitionId && (
          <button type="button" onClick={() => setFilter({ definitionId: '' })}>
            All jobs
          </button>
        )}
      </form>
      <ErrorBanner error={error} />
      {sorted === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="jobs-table">
            <caption class="visually-hidden">Jobs on this page: {sorted.length}</caption>
            <thead>
              <tr>
                {header('Job', 'jobId')}
                {header('Type', 'type')}
                {header('Status', 'status')}
                <th scope="col">Progress</th>
                {header('Attempt', 'attempt')}
                {header('Executor', 'executorId')}
                {header('Submitted', 'submittedAt')}
                {header('Updated', 'updatedAt')}
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {sorted.length === 0 && (
                <tr>
                  <td colSpan={9} class="empty">
                    No jobs{filters.status || filters.type ? ' match the filters' : ''}.
                  </td>
                </tr>
              )}
              {sorted.map((j) => (
                <tr key={j.jobId} data-job-id={j.jobId}>
                  <th scope="row" class="mono clip" title={j.jobId}>
                    <a href={`#/jobs/${encodeURIComponent(j.jobId)}`}>{j.jobId}</a>
                  </th>
                  <td>{j.type}</td>
                  <td data-testid="job-status">
                    <StatusBadge status={j.status} />
                  </td>
                  <td>
                    <ProgressBar percent={j.status === 'COMPLETED' ? 100 : j.progress.percent} label={`Progress of ${j.jobId}`} />
                  </td>
                  <td class="num">{j.attempt}</td>
                  <td class="clip" title={j.executorId ?? ''}>
                    {j.executorId ?? <span class="muted">—</span>}
                  </td>
                  <td>
                    <Time iso={j.submittedAt} />
                  </td>
                  <td>
                    <Time iso={j.updatedAt} />
                  </td>
                  <td class="actions">
                    {can('Job:cancel') && !isTerminal(j.status) && (
                      <ActionButton label="Cancel" run={() => api<Pick<JobSummary, 'status'>>('POST', `/jobs/${j.jobId}/~cancel`).then((a) => patchRow(j.jobId, a))} onError={setError} />
                    )}
                    {can('Job:submit') && (j.status === 'FAILED' || j.status === 'CANCELLED') && (
                      <ActionButton label="Retry" run={() => api<Pick<JobSummary, 'status'>>('POST', `/jobs/${j.jobId}/~retry`).then((a) => patchRow(j.jobId, a))} onError={setError} />
                    )}
                    {can('Job:delete') && isTerminal(j.status) && (
                      <ActionButton
                        label="Delete"
                        danger
                        confirmText={`Delete job ${j.jobId}? Its history stays in the log.`}
                        run={() => api('DELETE', `/jobs/${j.jobId}`)}
                        onDone={() => setRows((current) => current?.filter((r) => r.jobId !== j.jobId) ?? current)}
                        onError={setError}
                      />
                    )}
                    <a class="button" href={`#/jobs/${encodeURIComponent(j.jobId)}`}>
                      History<span class="visually-hidden"> of job {j.jobId}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages of jobs">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!next} onClick={() => setCursors([...cursors, next])}>
          Older
        </button>
      </nav>
    </Section>
  );
}
