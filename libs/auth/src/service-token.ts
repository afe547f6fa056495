import { SignJWT } from 'jose';

/** Internal callers sign their NATS requests with this secret (docs/security.md). */
export const SERVICE_SECRET_ENV = 'JOBSTREAM_SERVICE_SECRET';
export const SERVICE_SUBJECT_PREFIX = 'service:';
export const SERVICE_TOKEN_AUDIENCE = 'jobstream-internal';
/** Short-lived: a token lifted from a message is useless a minute later. */
export const SERVICE_TOKEN_TTL_SECONDS = 60;
/** NATS header carrying `Bearer <token>` (API key, user JWT or service token). */
export const AUTHORIZATION_HEADER = 'authorization';

const encoder = new TextEncoder();

export async function signServiceToken(service: string, secret: string, now = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`${SERVICE_SUBJECT_PREFIX}${service}`)
    .setAudience(SERVICE_TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + SERVICE_TOKEN_TTL_SECONDS)
    .sign(encoder.encode(secret));
}

/**
 * The `authorization` header value a service puts on its NATS requests, or undefined when no secret
 * is configured (AUTH=off deployments). Tokens are reused until shortly before they expire.
 */
export function serviceAuthorization(service: string, env: NodeJS.ProcessEnv = process.env): () => Promise<string | undefined> {
  let cached: { value: string; renewAt: number } | undefined;
  return async () => {
    const secret = env[SERVICE_SECRET_ENV];
    if (!secret) return undefined;
    if (cached && Date.now() < cached.renewAt) return cached.value;
    cached = { value: `Bearer ${await signServiceToken(service, secret)}`, renewAt: Date.now() + (SERVICE_TOKEN_TTL_SECONDS / 2) * 1000 };
    return cached.value;
  };
}
