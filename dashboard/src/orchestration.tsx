import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { live } from './live';
import type { OrchestrationDefinition, RunReport } from './types';
import { ActionButton, ErrorBanner, Section, StatusBadge, Time, useCan } from './ui';

const SKIP_REASONS: Record<string, string> = {
  'parent-failure': 'skipped: the task before it failed and this task does not run after a failure',
  'time-limit-reached': 'skipped: the time limit of the run was reached',
};
const skipText = (reason: string | null) => (reason ? (SKIP_REASONS[reason] ?? `skipped: ${reason}`) : '');

/** The chain of one run as a row of tasks, each coloured by status, with why a task was skipped. */
export function RunChain({ run }: { run: RunReport }) {
  return (
    <ol class="chain" aria-label={`Tasks of run ${run.instanceId}`}>
      {run.tasks.map((t) => (
        <li key={t.index} class={`task task-${t.status.toLowerCase().replace(/_/g, '-')}`}>
          <div class="task-name">
            {t.index + 1}. {t.taskId}
          </div>
          <div class="muted">{t.taskType}</div>
          <StatusBadge status={t.status} />
          {t.skipReason && <div class="task-why">{skipText(t.skipReason)}</div>}
          {t.waitingUntil && (
            <div class="task-why">
              waits until <Time iso={t.waitingUntil} />
            </div>
          )}
          {t.objects && (
            <div class="muted">
              {t.objects.processed} processed, {t.objects.succeeded} ok, {t.objects.failed} failed
            </div>
          )}
          {t.jobId && (
            <a href={`#/jobs/${encodeURIComponent(t.jobId)}`}>
              job<span class="visually-hidden"> of task {t.taskId}</span>
            </a>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Orchestration task definitions, their runs, and launch / cancel. */
export function OrchestrationView({ taskId }: { taskId: string | null }) {
  const can = useCan();
  const [definitions, setDefinitions] = useState<OrchestrationDefinition[] | null>(null);
  const [runs, setRuns] = useState<RunReport[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number>();

  const loadDefinitions = () =>
    api<OrchestrationDefinition[]>('GET', '/sync/orchestration-tasks').then(setDefinitions, (e: Error) => setError(e.message));
  const loadRuns = () =>
    taskId
      ? api<RunReport[]>('GET', `/sync/orchestration-tasks/${encodeURIComponent(taskId)}/instances`).then(
          (r) => setRuns([...r].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))),
          (e: Error) => setError(e.message),
        )
      : Promise.resolve();

  useEffect(() => {
    void loadDefinitions();
  }, []);
  useEffect(() => {
    setRuns(null);
    void loadRuns();
    // Tasks run as jobs: a job transition may move a run on.
    const off = live.on(() => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void loadRuns(), 500);
    });
    return () => {
      off();
      window.clearTimeout(timer.current);
    };
  }, [taskId]);

  const selected = definitions?.find((d) => d.id === taskId);
  return (
    <Section title="Orchestration">
      <ErrorBanner error={error} />
      <div class="columns">
        <nav aria-label="Orchestration task definitions" class="list">
          <h3>Definitions</h3>
          {definitions === null ? (
            <p aria-busy="true">Loading…</p>
          ) : definitions.length === 0 ? (
            <p class="muted">No orchestration task definitions.</p>
          ) : (
            <ul>
              {definitions.map((d) => (
                <li key={d.id}>
                  <a href={`#/orchestration/${encodeURIComponent(d.id)}`} aria-current={d.id === taskId ? 'page' : undefined}>
                    {d.name || d.id}
                  </a>
                  {d.active === false && <span class="muted"> (inactive)</span>}
                </li>
              ))}
            </ul>
          )}
        </nav>
        <div class="grow">
          {taskId && (
            <>
              <div class="section-head">
                <h3>{selected?.name ?? taskId}</h3>
                {can('Orch:run') && (
                  <ActionButton label="Launch" run={() => api('POST', `/sync/orchestration-tasks/${encodeURIComponent(taskId)}/instances`)} onDone={loadRuns} onError={setError} />
                )}
              </div>
              {runs === null ? (
                <p aria-busy="true">Loading…</p>
              ) : runs.length === 0 ? (
                <p class="muted">No runs yet.</p>
              ) : (
                runs.map((run) => (
                  <article key={run.instanceId} class="run" aria-label={`Run ${run.instanceId}`}>
                    <div class="run-head">
                      <StatusBadge status={run.status} />
                      <span class="mono">{run.instanceId}</span>
                      <span>
                        <Time iso={run.startedAt} /> → <Time iso={run.endedAt} />
                      </span>
                      {run.timeLimit && (
                        <span class="muted">
                          limit <Time iso={run.timeLimit} />
                        </span>
                      )}
                      {can('Orch:run') && run.status === 'RUNNING' && !run.cancelRequested && (
                        <ActionButton
                          label="Cancel"
                          run={() => api('POST', `/sync/orchestration-tasks/${encodeURIComponent(taskId)}/instances/${run.instanceId}/~cancel`)}
                          onDone={loadRuns}
                          onError={setError}
                        />
                      )}
                    </div>
                    <RunChain run={run} />
                  </article>
                ))
              )}
            </>
          )}
          {!taskId && <p class="muted">Choose a definition to see its runs.</p>}
        </div>
      </div>
    </Section>
  );
}
