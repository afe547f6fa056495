import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of `POST /{tenant}/api/jobs/{jobId}/~cancel`, optional as a whole. */
export class CancelJobBody {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
