import {
  JOB_STATUSES,
  type JobDefinitionSchedule,
  type JobDefinitionStatus,
  type JobRunResult,
  type JobStatus,
} from '@jobstream/domain';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IDENTIFIER_PATTERN, IDENTIFIER_RULE } from '../identifiers';

/**
 * Read-model queries answered by the projector over NATS request-reply.
 * The subject of each is `subjects.query(<name>)` from @jobstream/messaging, e.g. `projector.query.jobs.list`.
 */
export const PROJECTOR_QUERIES = {
  jobsList: 'jobs.list',
  jobsGet: 'jobs.get',
  jobsStats: 'jobs.stats',
  definitionsList: 'definitions.list',
  definitionsGet: 'definitions.get',
  status: 'status',
} as const;

export const JOB_LIST_DEFAULT_LIMIT = 50;
export const JOB_LIST_MAX_LIMIT = 500;

class TenantQueryDto {
  @Matches(IDENTIFIER_PATTERN, { message: `tenant must be ${IDENTIFIER_RULE}` })
  tenant!: string;
}

export class ListJobsQueryDto extends TenantQueryDto {
  @IsOptional()
  @IsIn(JOB_STATUSES as unknown as string[], { message: `status must be one of ${JOB_STATUSES.join(', ')}` })
  status?: JobStatus;

  @IsOptional()
  @Matches(IDENTIFIER_PATTERN, { message: `type must be ${IDENTIFIER_RULE}` })
  type?: string;

  /** Jobs submitted at or after this instant. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  definitionId?: string;

  /** Opaque: the `nextCursor` of the previous page, with the same filters. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  cursor?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(JOB_LIST_MAX_LIMIT)
  limit?: number;
}

export class GetJobQueryDto extends TenantQueryDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  jobId!: string;
}

export class JobStatsQueryDto extends TenantQueryDto {}

export class ListDefinitionsQueryDto extends TenantQueryDto {}

export class GetDefinitionQueryDto extends TenantQueryDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  definitionId!: string;
}

export interface JobSummary {
  jobId: string;
  tenant: string;
  type: string;
  status: JobStatus;
  priority: number;
  progress: { percent: number; message: string };
  attempt: number;
  executorId: string | null;
  definitionId: string | null;
  submittedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
  lastError: string | null;
}

/** Newest first (submittedAt, then jobId, descending); `nextCursor` is null on the last page. */
export interface JobPage {
  items: JobSummary[];
  nextCursor: string | null;
}

export interface JobStats {
  /** Every status is present, zeros included, so a metrics exporter can set gauges without guessing. */
  byStatus: Record<JobStatus, number>;
  /** Only the types the tenant has jobs of; each has every status. */
  byType: Record<string, Record<JobStatus, number>>;
}

export interface DefinitionSummary {
  definitionId: string;
  tenant: string;
  name: string;
  description: string;
  type: string;
  status: JobDefinitionStatus;
  enabled: boolean;
  schedule: JobDefinitionSchedule | null;
  lastRunResult: JobRunResult | null;
  lastRunTime: string | null;
  nextRunTime: string | null;
  activeOnHost: string | null;
  currentJobId: string | null;
}

export interface ProjectorStatus {
  /** The stored checkpoint (opaque store position); null before the first commit is applied. */
  position: string | null;
  /** Job and job-definition events folded into the read models. */
  eventsApplied: number;
  /** Commits (CommittedBatch) applied, read-model events or not. */
  batchesApplied: number;
  /** occurredAt of the last event folded into a read model. */
  lastEventAt: string | null;
  /** False while the subscription is down (starting, restarting after a failure, stopping). */
  subscribed: boolean;
}
