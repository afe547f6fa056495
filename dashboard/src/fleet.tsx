import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import type { ExecutorView, LockResource } from './types';
import { ErrorBanner, ProgressBar, Section, Time } from './ui';

const REFRESH_MS = 5000;

/** Polls a read-only list; these pages have no transition feed of their own. */
function usePolled<T>(path: string): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () =>
      api<T>('GET', path).then(
        (d) => {
          setData(d);
          setError(null);
        },
        (e: Error) => setError(e.message),
      );
    void load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [path]);
  return { data, error };
}

/** Who is alive and how loaded (the executor registry; an executor silent for its TTL drops out). */
export function ExecutorsView() {
  const { data, error } = usePolled<{ items: ExecutorView[] }>('/executors');
  return (
    <Section title="Executors">
      <ErrorBanner error={error} />
      {data === null ? (
        !error && <p aria-busy="true">Loading…</p>
      ) : data.items.length === 0 ? (
        <p class="muted">No executor is alive.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Executor</th>
                <th scope="col">Host</th>
                <th scope="col">Job types</th>
                <th scope="col">Load</th>
                <th scope="col">Started</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((e) => (
                <tr key={e.executorId}>
                  <th scope="row" class="mono">
                    {e.executorId}
                  </th>
                  <td>{e.host}</td>
                  <td class="clip" title={e.types.join(', ')}>
                    {e.types.join(', ')}
                  </td>
                  <td>
                    <ProgressBar percent={e.capacity ? (100 * e.inFlight) / e.capacity : 0} label={`Load of ${e.executorId}`} />
                    <span class="muted">
                      {e.inFlight} of {e.capacity}
                    </span>
                  </td>
                  <td>
                    <Time iso={e.startedAt} />
                  </td>
                  <td>
                    <Time iso={e.lastSeenAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

/** Holders and waiters per resource. */
export function LocksView() {
  const { data, error } = usePolled<{ resources: LockResource[] }>('/locks');
  return (
    <Section title="Locks">
      <ErrorBanner error={error} />
      {data === null ? (
        !error && <p aria-busy="true">Loading…</p>
      ) : data.resources.length === 0 ? (
        <p class="muted">No resource is locked or awaited.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Resource</th>
                <th scope="col">Holders</th>
                <th scope="col">Waiters (in order)</th>
              </tr>
            </thead>
            <tbody>
              {data.resources.map((r) => (
                <tr key={r.resource}>
                  <th scope="row" class="mono">
                    {r.resource}
                  </th>
                  <td>
                    <ul class="plain">
                      {r.holders.map((h) => (
                        <li key={h.jobId}>
                          <a href={`#/jobs/${encodeURIComponent(h.jobId)}`}>{h.jobId}</a> {h.mode}
                          {h.since && (
                            <span class="muted">
                              {' '}
                              since <Time iso={h.since} />
                            </span>
                          )}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {r.waiters.length === 0 ? (
                      <span class="muted">none</span>
                    ) : (
                      <ol class="plain">
                        {r.waiters.map((w) => (
                          <li key={w.jobId}>
                            <a href={`#/jobs/${encodeURIComponent(w.jobId)}`}>{w.jobId}</a> {w.mode}
                          </li>
                        ))}
                      </ol>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
