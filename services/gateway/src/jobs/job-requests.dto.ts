import { JOB_STATUSES, type JobStatus } from '@jobstream/domain';
import { IDENTIFIER_PATTERN, IDENTIFIER_RULE } from '@jobstream/contracts';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const LIST_MAX_LIMIT = 500;

/** Query string of `GET /{tenant}/api/jobs`; limit arrives as text and is converted before validation. */
export class ListJobsQuery {
  @IsOptional()
  @IsIn(JOB_STATUSES as unknown as string[], { message: `status must be one of ${JOB_STATUSES.join(', ')}` })
  status?: JobStatus;

  @IsOptional()
  @Matches(IDENTIFIER_PATTERN, { message: `type must be ${IDENTIFIER_RULE}` })
  type?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  definitionId?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  cursor?: string;

  @IsOptional()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(LIST_MAX_LIMIT)
  limit?: number;
}

export class CancelJobBody {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
