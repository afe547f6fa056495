/** `GET /{tenant}/api/executors`: one live executor of the fleet. */
export interface ExecutorView {
  executorId: string;
  /** Seed JES "Active on Host". */
  host: string;
  types: string[];
  capacity: number;
  inFlight: number;
  startedAt: string;
  lastSeenAt: string;
  /** Scalable jobs of this tenant the executor owns (replicas run on the others serving the type). */
  scaledJobs: string[];
}
