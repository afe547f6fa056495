import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IDENTIFIER_PATTERN, IDENTIFIER_RULE } from '../identifiers';

export const LOCK_MODES = ['SHARED', 'EXCLUSIVE'] as const;
export const MAX_LOCKS_PER_JOB = Number(process.env.MAX_LOCKS_PER_JOB ?? 16);

export class LockRequestDto {
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'resource must not be blank' })
  @MaxLength(200)
  resource!: string;

  @IsIn(LOCK_MODES as unknown as string[], { message: 'mode must be SHARED or EXCLUSIVE' })
  mode!: 'SHARED' | 'EXCLUSIVE';
}

export class TimeoutsDto {
  @IsInt()
  @Min(100)
  firstDeadlineMs!: number;

  @IsInt()
  @Min(100)
  secondDeadlineMs!: number;
}

export class BackoffDto {
  @IsIn(['fixed', 'exponential'])
  kind!: 'fixed' | 'exponential';

  @IsInt()
  @Min(0)
  initialMs!: number;

  @IsInt()
  @Min(0)
  maxMs!: number;
}

export class RetryPolicyDto {
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttempts!: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => BackoffDto)
  backoff?: BackoffDto;

  @IsOptional()
  @IsBoolean()
  jitter?: boolean;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  nonRetryableErrors?: string[];
}

export class SubmitJobDto {
  @Matches(IDENTIFIER_PATTERN, { message: `type must be ${IDENTIFIER_RULE}` })
  type!: string;

  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  idempotencyKey?: string;

  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => TimeoutsDto)
  timeouts?: TimeoutsDto;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LOCKS_PER_JOB)
  @ValidateNested({ each: true })
  @Type(() => LockRequestDto)
  locks?: LockRequestDto[];

  @IsOptional()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retry?: RetryPolicyDto;

  @IsOptional()
  @IsObject()
  workflowVariables?: Record<string, unknown>;
}

export const MAX_BATCH_SIZE = 1000;

export class SubmitBatchDto {
  @IsArray()
  @ArrayMaxSize(MAX_BATCH_SIZE)
  @ValidateNested({ each: true })
  @Type(() => SubmitJobDto)
  jobs!: SubmitJobDto[];
}
