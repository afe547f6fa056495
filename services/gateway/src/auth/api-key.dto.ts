import { RIGHT_NAMES } from '@jobstream/auth';
import { IDENTIFIER_PATTERN } from '@jobstream/contracts';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsISO8601, IsOptional, IsString, Length, MaxLength, ValidateBy } from 'class-validator';

/** `"*"` (every tenant) or a non-empty list of tenant names. */
const IsTenantScope = () =>
  ValidateBy({
    name: 'isTenantScope',
    validator: {
      validate: (value: unknown) =>
        value === '*' ||
        (Array.isArray(value) && value.length > 0 && value.length <= 100 && value.every((t) => typeof t === 'string' && IDENTIFIER_PATTERN.test(t))),
      defaultMessage: () => 'tenants must be "*" or a list of 1 to 100 tenant names',
    },
  });

export class CreateApiKeyDto {
  @IsString()
  @Length(1, 200)
  name!: string;

  @IsTenantScope()
  tenants!: '*' | string[];

  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsIn(RIGHT_NAMES, { each: true })
  rights!: string[];

  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class RotateApiKeyDto {
  /** A new expiry; the old one stays when left out. */
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class RevokeApiKeyDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
