/**
 * Every NATS subject the system uses, in one place, so a name means one thing everywhere.
 * Tokens: <tenant> and <type> are validated identifiers (see contracts), never free text.
 */
export const SERVICES = ['gateway', 'scheduler', 'executor', 'lock-manager', 'projector'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const subjects = {
  /** Request-reply liveness probe answered by every instance of a service. */
  health: (service: ServiceName) => `health.${service}`,
  /** Submit jobs over NATS request-reply (same body and answer as the REST submit). */
  submit: (tenant: string) => `jobs.submit.${tenant}`,
  /** Synchronous job over NATS request-reply. */
  sync: (tenant: string, type: string) => `jobs.sync.${tenant}.${type}`,
  /** Work queue: one subject per job type, consumed by executors that handle that type. */
  work: (type: string) => `work.${type}`,
  /** Core-NATS notice that a cancel was requested for a running job; the owning executor aborts it. */
  cancel: (tenant: string, jobId: string) => `jobs.cancel.${tenant}.${jobId}`,
  /** Read-model queries answered by the projector. */
  query: (name: string) => `projector.query.${name}`,
  /** Commands to the lock manager. */
  locks: (command: string) => `locks.${command}`,
  /** Core-NATS fan-out of every appended transition, for live views (dashboard, SSE, sync waiters). */
  transitions: (tenant: string, aggregate: string) => `live.${tenant}.${aggregate}`,
  /** Direct sync-job requests from the gateway to executors with a free slot (queue group per type). */
  execSync: (type: string) => `exec.sync.${type}`,
} as const;

export const WORK_STREAM = 'JOBSTREAM_WORK';

/** Request-reply commands answered by the lock manager (built with `subjects.locks`). */
export const LOCK_SUBJECTS = {
  /** A tenant's lock table: holders and waiters per resource. */
  table: subjects.locks('table'),
  /** Admin force release of a resource, recorded with the actor. */
  forceRelease: subjects.locks('force-release'),
} as const;

/** Request-reply commands on job definitions answered by the scheduler. */
export const DEFINITION_SUBJECTS = {
  /** Start a run now (the Start button; the schedule timers share the code path). */
  start: 'definitions.start',
} as const;

/** Cross-tenant projector query: RUNNING and TIMED_OUT jobs (optionally of one executor), see ActiveJobsReply. */
export const ACTIVE_JOBS_QUERY = 'projector.query.jobs.active';

/** Request to every instance of a service for its metrics (prom-client JSON); the gateway merges them for `/metrics/all`. */
export const metricsSubject = (service: ServiceName) => `metrics.${service}`;
