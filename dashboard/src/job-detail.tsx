import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from './api';
import { isTerminal } from './jobs';
import { live } from './live';
import type { HistoryEntry, JobView } from './types';
import { ActionButton, ErrorBanner, Json, ProgressBar, Section, StatusBadge, Time, useCan } from './ui';

/** What an event's data says, in a few words (the full data is one click away). */
function whatOf(e: HistoryEntry): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'job.progressed':
      return `${d.percent}%${d.message ? ` ${d.message}` : ''}`;
    case 'job.started':
    case 'job.resumed':
      return `on ${d.executorId}${d.attempt ? `, attempt ${d.attempt}` : ''}`;
    case 'job.failed':
      return String(d.message ?? '');
    case 'job.cancel-requested':
    case 'job.cancelled':
      return d.reason ? String(d.reason) : '';
    case 'job.retried':
      return `attempt ${d.attempt} (${d.reason}), not before ${d.notBefore}`;
    case 'job.step-completed':
      return `step ${d.name}`;
    case 'job.waiting-for-lock':
    case 'job.lock-granted':
      return (d.locks as { resource: string; mode: string }[] | undefined)?.map((l) => `${l.resource} (${l.mode})`).join(', ') ?? '';
    default:
      return '';
  }
}

function Variables({ title, values }: { title: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values ?? {});
  return (
    <div>
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <table class="kv">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td class="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** One job: status, progress, variables, the error with its stack, and the timeline of its events. */
export function JobDetail({ jobId }: { jobId: string }) {
  const can = useCan();
  const [job, setJob] = useState<JobView | null>(null);
  const [events, setEvents] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState(false);
  const timer = useRef<number>();

  const load = () =>
    Promise.all([api<JobView>('GET', `/jobs/${encodeURIComponent(jobId)}`), api<{ events: HistoryEntry[] }>('GET', `/jobs/${encodeURIComponent(jobId)}/history`)]).then(
      ([j, h]) => {
        setJob(j);
        setEvents(h.events);
        setError(null);
      },
      (e: Error) => {
        if (e instanceof ApiFailure && e.status === 404) setGone(true);
        else setError(e.message);
      },
    );

  useEffect(() => {
    setJob(null);
    setEvents(null);
    setGone(false);
    void load();
    const off = live.on((t) => {
      if (t.jobId !== jobId) return;
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void load(), 100);
    });
    const offReconnect = live.onReconnect(() => void load());
    return () => {
      off();
      offReconnect();
      window.clearTimeout(timer.current);
    };
  }, [jobId]);

  if (gone) {
    return (
      <Section title={`Job ${jobId}`}>
        <p role="alert">This job does not exist or was deleted.</p>
        <a href="#/jobs">Back to the jobs</a>
      </Section>
    );
  }
  return (
    <Section title={`Job ${jobId}`} actions={<a href="#/jobs">← All jobs</a>}>
      <ErrorBanner error={error} />
      {!job || !events ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <div class="detail-head">
            <dl class="facts">
              <dt>Status</dt>
              <dd data-testid="detail-status">
                <StatusBadge status={job.status} />
                {job.cancelRequested && !isTerminal(job.status) && <span class="muted"> (cancel requested)</span>}
              </dd>
              <dt>Type</dt>
              <dd>{job.type}</dd>
              <dt>Attempt</dt>
              <dd>{job.attempt}</dd>
              <dt>Executor</dt>
              <dd>{job.executorId ?? '—'}</dd>
              <dt>Submitted</dt>
              <dd>
                <Time iso={job.timestamps.submittedAt} />
              </dd>
              <dt>Ended</dt>
              <dd>
                <Time iso={job.timestamps.endedAt} />
              </dd>
              {job.definitionId && (
                <>
                  <dt>Definition</dt>
                  <dd>
                    <a href={`#/jobs?definitionId=${encodeURIComponent(job.definitionId)}`}>{job.definitionId}</a>
                  </dd>
                </>
              )}
              {events[0] && (
                <>
                  <dt>Correlation id</dt>
                  <dd class="mono">{events[0].correlationId}</dd>
                </>
              )}
            </dl>
            <div class="detail-actions">
              <ProgressBar percent={job.status === 'COMPLETED' ? 100 : job.progress.percent} label="Progress" />
              {job.progress.message && <p class="muted">{job.progress.message}</p>}
              <div class="actions">
                {can('Job:cancel') && !isTerminal(job.status) && (
                  <ActionButton label="Cancel" run={() => api('POST', `/jobs/${jobId}/~cancel`)} onDone={load} onError={setError} />
                )}
                {can('Job:submit') && (job.status === 'FAILED' || job.status === 'CANCELLED') && (
                  <ActionButton label="Retry" run={() => api('POST', `/jobs/${jobId}/~retry`)} onDone={load} onError={setError} />
                )}
                {can('Job:delete') && isTerminal(job.status) && (
                  <ActionButton
                    label="Delete"
                    danger
                    confirmText={`Delete job ${jobId}?`}
                    run={() => api('DELETE', `/jobs/${jobId}`)}
                    onDone={() => (location.hash = '#/jobs')}
                    onError={setError}
                  />
                )}
              </div>
            </div>
          </div>
          {job.lastError && (
            <div class="job-error" role="region" aria-label="Last error">
              <h3>Error</h3>
              <p>
                <strong>{job.lastError.error?.name ?? 'Error'}:</strong> {job.lastError.message}
              </p>
              {job.lastError.error?.stack && <pre class="stack">{job.lastError.error.stack}</pre>}
            </div>
          )}
          <div class="columns">
            <Variables title="Job variables" values={job.jobVariables} />
            <Variables title="Workflow variables" values={job.workflowVariables} />
          </div>
          <h3 id="timeline-title">History</h3>
          <ol class="timeline" aria-labelledby="timeline-title" data-testid="timeline">
            {events.map((e) => (
              <li key={e.revision} class={`event event-${e.type.split('.')[1]}`}>
                <div class="event-head">
                  <Time iso={e.occurredAt} />
                  <span class="event-type">{e.type}</span>
                  <span class="muted">by {e.actor}</span>
                </div>
                {whatOf(e) && <div class="event-what">{whatOf(e)}</div>}
                <details>
                  <summary>Data (revision {e.revision})</summary>
                  <Json value={e.data} />
                </details>
              </li>
            ))}
          </ol>
          <details>
            <summary>Payload and output</summary>
            <h4>Payload</h4>
            <Json value={job.payload} />
            <h4>Output</h4>
            <Json value={job.output ?? null} />
          </details>
        </>
      )}
    </Section>
  );
}
