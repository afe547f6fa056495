import { Inject, Injectable } from '@nestjs/common';
import {
  looksLikeApiKey,
  makePrincipal,
  parseApiKey,
  SERVICE_SUBJECT_PREFIX,
  SERVICE_TOKEN_AUDIENCE,
  SERVICE_TOKEN_TTL_SECONDS,
  type Principal,
  type TenantScope,
} from '@jobstream/auth';
import { IDENTIFIER_PATTERN } from '@jobstream/contracts';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ApiError } from '../errors/api-error';
import { ApiKeysService } from './api-keys.service';
import { AUTH_CONFIG, type AuthConfig } from './auth-config';

/** What an internal service may do on its own: submit (child jobs, orchestration tasks) in any tenant. */
const SERVICE_RIGHTS = ['sys.job-submit'];
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

const unauthorized = (reason: string) => new ApiError(401, reason);

function tenantsClaim(payload: JWTPayload): TenantScope {
  const { tenants } = payload as { tenants?: unknown };
  if (tenants === '*') return '*';
  if (Array.isArray(tenants) && tenants.every((t) => typeof t === 'string' && IDENTIFIER_PATTERN.test(t))) return tenants as string[];
  throw unauthorized('token claim "tenants" must be "*" or a list of tenant names');
}

function rightsClaim(payload: JWTPayload): string[] {
  const { rights } = payload as { rights?: unknown };
  if (Array.isArray(rights) && rights.every((r) => typeof r === 'string')) return rights as string[];
  throw unauthorized('token claim "rights" must be a list of right names');
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim "${error.claim}" is invalid: ${error.reason}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token is signed with a key not in the configured JWKS';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  return 'token is malformed';
}

/**
 * One credential check for every entry point (HTTP and NATS): `jsk_…` API keys, user JWTs (HS256
 * with JWT_HS256_SECRET, RS256 against JWT_JWKS_FILE) and internal service tokens (HS256 with
 * JOBSTREAM_SERVICE_SECRET, `sub: service:<name>`).
 */
@Injectable()
export class Authenticator {
  private readonly jwks?: JWTVerifyGetKey;

  constructor(
    @Inject(AUTH_CONFIG) readonly config: AuthConfig,
    private readonly keys: ApiKeysService,
  ) {
    if (config.jwks) this.jwks = createLocalJWKSet(config.jwks);
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** `Authorization: Bearer <key or JWT>` (a bare token is accepted too), or `X-API-Key: <key>`. */
  credentialOf(authorization: string | undefined, apiKeyHeader?: string): string | undefined {
    if (apiKeyHeader) return apiKeyHeader.trim();
    if (!authorization) return undefined;
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : authorization.trim() || undefined;
  }

  async authenticate(credential: string | undefined): Promise<Principal> {
    if (!credential) throw unauthorized('missing credentials: send "Authorization: Bearer <API key or JWT>"');
    if (credential.length > 8192) throw unauthorized('credentials too long');
    if (looksLikeApiKey(credential)) {
      const token = parseApiKey(credential);
      if (!token) throw unauthorized('invalid API key');
      return this.keys.verify(token);
    }
    return this.verifyJwt(credential);
  }

  private async verifyJwt(token: string): Promise<Principal> {
    let alg: string | undefined;
    let subject: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
      subject = decodeJwt(token).sub;
    } catch {
      throw unauthorized('credentials are neither an API key nor a JWT');
    }
    try {
      if (subject?.startsWith(SERVICE_SUBJECT_PREFIX)) return await this.verifyServiceToken(token);
      const options = { issuer: this.config.issuer, audience: this.config.audience, requiredClaims: ['sub', 'exp'] };
      let payload: JWTPayload;
      if (alg === 'HS256' && this.config.hs256Secret) payload = (await jwtVerify(token, this.config.hs256Secret, { ...options, algorithms: ['HS256'] })).payload;
      else if (alg === 'RS256' && this.jwks) payload = (await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256'] })).payload;
      else throw unauthorized(`tokens signed with ${alg ?? 'no algorithm'} are not accepted here`);
      return makePrincipal('user', payload.sub as string, tenantsClaim(payload), rightsClaim(payload));
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw unauthorized(reasonOf(error));
    }
  }

  /** The service secret alone can mint `service:` subjects; a user token claiming one is refused. */
  private async verifyServiceToken(token: string): Promise<Principal> {
    if (!this.config.serviceSecret) throw unauthorized('service tokens are not accepted: JOBSTREAM_SERVICE_SECRET is not set');
    const { payload } = await jwtVerify(token, this.config.serviceSecret, {
      algorithms: ['HS256'],
      audience: SERVICE_TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if ((payload.exp as number) - (payload.iat as number) > SERVICE_TOKEN_TTL_SECONDS * 5) throw unauthorized('service token lives too long');
    const name = (payload.sub as string).slice(SERVICE_SUBJECT_PREFIX.length);
    if (!SERVICE_NAME.test(name)) throw unauthorized('service token names no service');
    return makePrincipal('service', name, '*', SERVICE_RIGHTS);
  }
}
