import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { live } from './live';
import type { DefinitionRow } from './types';
import { ActionButton, compareBy, ErrorBanner, Section, SortHeader, StatusBadge, Time, useCan, type Sort } from './ui';

const PAGE_SIZE = 20;
const STATUSES = ['Disabled', 'Queued', 'Ready', 'RecyclePending', 'Running', 'Suspended', 'Unknown'];
type Column = 'name' | 'description' | 'type' | 'status' | 'lastRunResult' | 'lastRunTime' | 'nextRunTime' | 'activeOnHost';

/** A run in flight can be stopped; anything else can be started. */
const isActive = (d: DefinitionRow) => d.status === 'Running' || d.status === 'Queued' || d.currentJobId !== null;

/** The seed JES "Jobs Management" screen: one row per job definition, live. */
export function DefinitionsView() {
  const can = useCan();
  const [rows, setRows] = useState<DefinitionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const [sort, setSort] = useState<Sort<Column>>({ key: 'name', dir: 'ascending' });
  const [page, setPage] = useState(0);
  const timer = useRef<number>();

  const load = () =>
    api<{ items: DefinitionRow[] }>('GET', '/job-definitions').then(
      (r) => {
        setRows(r.items);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );

  useEffect(() => {
    void load();
    // Runs are jobs: any job transition may change a row (status, last run), so reload soon after.
    const refresh = () => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void load(), 400);
    };
    const offLive = live.on(refresh);
    const offReconnect = live.onReconnect(refresh);
    return () => {
      offLive();
      offReconnect();
      window.clearTimeout(timer.current);
    };
  }, []);

  const types = useMemo(() => [...new Set((rows ?? []).map((r) => r.type))].sort(), [rows]);
  const filtered = useMemo(
    () => (rows ?? []).filter((r) => (!status || r.status === status) && (!type || r.type === type)).sort(compareBy<DefinitionRow>(sort.key, sort.dir)),
    [rows, status, type, sort],
  );
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  const shown = filtered.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const header = (label: string, column: Column) => <SortHeader label={label} column={column} sort={sort} onSort={setSort} />;

  return (
    <Section title="Jobs Management">
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter job definitions">
        <label>
          Status
          <select value={status} onChange={(e) => (setStatus(e.currentTarget.value), setPage(0))}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => (setType(e.currentTarget.value), setPage(0))}>
            <option value="">All</option>
            {types.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </form>
      <ErrorBanner error={error} />
      {rows === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="definitions-table">
            <caption class="visually-hidden">Job definitions, {filtered.length} rows</caption>
            <thead>
              <tr>
                {header('Name', 'name')}
                {header('Description', 'description')}
                {header('Type', 'type')}
                {header('Status', 'status')}
                {header('Last Run Result', 'lastRunResult')}
                {header('Last Run Time', 'lastRunTime')}
                {header('Next Run Time', 'nextRunTime')}
                {header('Active on Host', 'activeOnHost')}
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown.length === 0 && (
                <tr>
                  <td colSpan={9} class="empty">
                    No job definitions{status || type ? ' match the filters' : ' yet'}.
                  </td>
                </tr>
              )}
              {shown.map((d) => (
                <tr key={d.definitionId} data-definition-id={d.definitionId}>
                  <th scope="row">{d.name}</th>
                  <td class="clip" title={d.description}>
                    {d.description}
                  </td>
                  <td>{d.type}</td>
                  <td>
                    <StatusBadge status={d.status} />
                  </td>
                  <td>{d.lastRunResult ? <StatusBadge status={d.lastRunResult} /> : <span class="muted">—</span>}</td>
                  <td>
                    <Time iso={d.lastRunTime} />
                  </td>
                  <td>
                    <Time iso={d.nextRunTime} />
                  </td>
                  <td>{d.activeOnHost ?? <span class="muted">—</span>}</td>
                  <td class="actions">
                    {can('JobDefinition:run') &&
                      (isActive(d) ? (
                        <ActionButton label="Stop" run={() => api('POST', `/job-definitions/${d.definitionId}/~stop`)} onDone={load} onError={setError} />
                      ) : (
                        <ActionButton label="Start" run={() => api('POST', `/job-definitions/${d.definitionId}/~start`)} onDone={load} onError={setError} />
                      ))}
                    {can('JobDefinition:update') &&
                      (d.enabled ? (
                        <ActionButton label="Disable" run={() => api('POST', `/job-definitions/${d.definitionId}/~disable`)} onDone={load} onError={setError} />
                      ) : (
                        <ActionButton label="Enable" run={() => api('POST', `/job-definitions/${d.definitionId}/~enable`)} onDone={load} onError={setError} />
                      ))}
                    {can('JobDefinition:delete') && (
                      <ActionButton
                        label="Delete"
                        danger
                        confirmText={`Delete the job definition "${d.name}"?`}
                        run={() => api('DELETE', `/job-definitions/${d.definitionId}`)}
                        onDone={load}
                        onError={setError}
                      />
                    )}
                    <a class="button" href={`#/jobs?definitionId=${encodeURIComponent(d.definitionId)}`}>
                      History<span class="visually-hidden"> of {d.name}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages of job definitions">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span>
          Page {page + 1} of {pages}
        </span>
        <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </nav>
    </Section>
  );
}
