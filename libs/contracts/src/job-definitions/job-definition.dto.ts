import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IDENTIFIER_PATTERN, IDENTIFIER_RULE } from '../identifiers';
import { RetryPolicyDto } from '../jobs/submit-job.dto';

export const SCHEDULE_KINDS = ['cron', 'interval', 'once'] as const;
export const JOB_RUN_TRIGGERS = ['manual', 'schedule'] as const;

/**
 * One shape for the three kinds; the fields of the other kinds are ignored by the domain, which
 * keeps only the ones its kind needs.
 */
export class JobDefinitionScheduleDto {
  @IsIn(SCHEDULE_KINDS as unknown as string[], { message: `kind must be one of ${SCHEDULE_KINDS.join(', ')}` })
  kind!: (typeof SCHEDULE_KINDS)[number];

  @ValidateIf((s: JobDefinitionScheduleDto) => s.kind === 'cron')
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  expression?: string;

  /** IANA zone of a cron schedule; UTC when omitted. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  timeZone?: string;

  @ValidateIf((s: JobDefinitionScheduleDto) => s.kind === 'interval')
  @IsInt()
  @Min(1)
  everyMs?: number;

  @ValidateIf((s: JobDefinitionScheduleDto) => s.kind === 'once')
  @IsISO8601({ strict: true }, { message: 'at must be an ISO-8601 date-time' })
  at?: string;
}

/** Body of `POST /{tenant}/api/job-definitions` and of `PUT …/{id}` (a full replacement). */
export class JobDefinitionDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** The job type every run is submitted with. */
  @Matches(IDENTIFIER_PATTERN, { message: `type must be ${IDENTIFIER_RULE}` })
  type!: string;

  /** The payload of each run. */
  @IsOptional()
  @IsObject()
  configuration?: Record<string, unknown>;

  @IsOptional()
  @ValidateNested()
  @Type(() => JobDefinitionScheduleDto)
  schedule?: JobDefinitionScheduleDto | null;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retry?: RetryPolicyDto;
}

/** NATS request `definitions.start`, answered by the scheduler: manual and scheduled runs share it. */
export class StartDefinitionRunDto {
  @Matches(IDENTIFIER_PATTERN, { message: `tenant must be ${IDENTIFIER_RULE}` })
  tenant!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  definitionId!: string;

  @IsIn(JOB_RUN_TRIGGERS as unknown as string[])
  trigger!: (typeof JOB_RUN_TRIGGERS)[number];

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  actor!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  correlationId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  causationId?: string | null;
}

export interface StartDefinitionRunAnswer {
  definitionId: string;
  /** The job of the run, submitted with payload = the definition's configuration. */
  jobId: string;
}

