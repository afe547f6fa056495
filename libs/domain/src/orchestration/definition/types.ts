/**
 * The Orchestration Task Definition with the seed's property names, as the REST API takes it and as
 * the XML import produces it. Optional properties are kept absent rather than filled with their
 * defaults, so that what a user wrote is what is stored, exported and shown.
 */
export interface OrchestrationTaskDefinition {
  id: string;
  name: string;
  description?: string;
  /** Default true; an inactive definition cannot be launched. */
  active?: boolean;
  orchestratedTasks: OrchestratedTask[];
  /** ISO-8601 local time ("03:00" or "03:00:00") in `timeZone`: no task is launched from then on. */
  executionTimeLimit?: string;
  /** IANA zone for `executionTimeLimit` (and calendar units of `executionDurationLimit`); default UTC. */
  timeZone?: string;
  /** ISO-8601 duration counted from the orchestration start; mutually exclusive with executionTimeLimit. */
  executionDurationLimit?: string;
  /** Only set when the orchestration is scheduled. */
  executionPlan?: ExecutionPlan;
}

export const KNOWN_TASK_TYPES = ['IMPORT', 'RECONCILIATION', 'EXPORT', 'PROVISIONING'] as const;

export interface OrchestratedTask {
  /** The id of the job definition to run. */
  taskId: string;
  /** One of KNOWN_TASK_TYPES or any registered job type. */
  taskType: string;
  /** ISO-8601 local time in `timeZone`: the task does not start before it. */
  taskStartsAfter?: string;
  /** IANA zone for `taskStartsAfter`; default UTC. */
  timeZone?: string;
  /** Absent: the task always runs, even after a failed parent. */
  taskExecutionCondition?: TaskExecutionCondition;
}

export interface TaskExecutionCondition {
  /** Default false: after a fatal parent failure the orchestration stops. */
  executeOnParentTaskFailure?: boolean;
}

export const SCHEDULE_TYPES = ['ONCE', 'INTERVAL', 'CRON'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/**
 * The seed's sample shows `{ scheduleType: "ONCE", fireTime: "2020-05-18T10:12:39.527Z", interval: 0 }`;
 * INTERVAL and CRON, and the last two properties, are this project's extension of that shape.
 */
export interface ExecutionPlan {
  scheduleType: ScheduleType;
  /** ISO-8601 instant: the only fire of ONCE, the first fire of INTERVAL. */
  fireTime?: string;
  /** Seconds between fires of INTERVAL; 0 (as in the seed's ONCE sample) or absent otherwise. */
  interval?: number;
  /** CRON only: 5 fields, or 6 with leading seconds. */
  cronExpression?: string;
  /** CRON only: the IANA zone whose wall clock the expression reads; default UTC. */
  timeZone?: string;
  /** A fire found overdue (scheduler down): FIRE_ONCE (default) runs once on recovery, SKIP does not. */
  misfirePolicy?: 'FIRE_ONCE' | 'SKIP';
  /** A fire while the previous run still goes: SKIP (default), QUEUE_ONE, or ALLOW a parallel run. */
  overlapPolicy?: OverlapPolicy;
}

export const OVERLAP_POLICIES = ['SKIP', 'QUEUE_ONE', 'ALLOW'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** One problem with a definition; `field` is a path such as `orchestratedTasks[1].timeZone`. */
export interface ValidationError {
  field: string;
  message: string;
}
