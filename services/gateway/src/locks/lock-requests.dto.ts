import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of `POST /{tenant}/api/locks/{resource}/~release`, optional as a whole. */
export class ForceReleaseBody {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
