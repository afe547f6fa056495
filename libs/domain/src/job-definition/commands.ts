import type { JobDefinitionSpec, JobRunResult, JobRunTrigger } from './events';

/** The edited definition; the job handler type is named jobType because `type` discriminates the command. */
export type JobDefinitionInput = Omit<JobDefinitionSpec, 'type'> & { jobType: string };

export type CreateJobDefinition = { type: 'create'; definitionId: string } & JobDefinitionInput;
/** Replaces the whole definition, as the edit form does. */
export type UpdateJobDefinition = { type: 'update' } & JobDefinitionInput;
export interface DeleteJobDefinition {
  type: 'delete';
}
export interface EnableJobDefinition {
  type: 'enable';
}
export interface DisableJobDefinition {
  type: 'disable';
}
export interface StartJobDefinition {
  type: 'start';
  /** 'manual' (default) for the Start button, 'schedule' when the scheduler fires. */
  trigger?: JobRunTrigger;
}
export interface StopJobDefinition {
  type: 'stop';
}
export interface RecordJobDefinitionRunStarted {
  type: 'recordRunStarted';
  jobId: string;
  executorId: string;
}
export interface RecordJobDefinitionRunFinished {
  type: 'recordRunFinished';
  jobId: string;
  result: JobRunResult;
}
export interface SuspendJobDefinition {
  type: 'suspend';
  reason: string;
}
export interface PlanJobDefinitionNextRun {
  type: 'planNextRun';
  at: string | null;
}

export type JobDefinitionCommand =
  | CreateJobDefinition
  | UpdateJobDefinition
  | DeleteJobDefinition
  | EnableJobDefinition
  | DisableJobDefinition
  | StartJobDefinition
  | StopJobDefinition
  | RecordJobDefinitionRunStarted
  | RecordJobDefinitionRunFinished
  | SuspendJobDefinition
  | PlanJobDefinitionNextRun;

export type JobDefinitionCommandType = JobDefinitionCommand['type'];
