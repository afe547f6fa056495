import { readFileSync } from 'node:fs';
import { parseApiKey, SERVICE_SECRET_ENV, type ApiKeyToken } from '@jobstream/auth';
import type { JSONWebKeySet } from 'jose';
import { positiveIntFromEnv } from '@jobstream/messaging';

export interface AuthConfig {
  /** AUTH=off turns every check off (tests, local experiments); the default is on. */
  enabled: boolean;
  hs256Secret?: Uint8Array;
  jwks?: JSONWebKeySet;
  issuer?: string;
  audience?: string;
  serviceSecret?: Uint8Array;
  /** Requests per minute per tenant and principal; 0 disables rate limiting. */
  rateLimitPerMinute: number;
  /** How long a key's state is trusted before it is re-read (revocations on other gateways show within this). */
  keyCacheMs: number;
  /** JOBSTREAM_ADMIN_KEY: provision this exact key as the bootstrap admin key. */
  adminKey?: ApiKeyToken;
}

export const BOOTSTRAP_KEY_ID = 'admin';
const encoder = new TextEncoder();

function secretFrom(env: NodeJS.ProcessEnv, name: string): Uint8Array | undefined {
  const value = env[name];
  if (!value) return undefined;
  // HS256 with a short secret can be brute-forced offline from any token.
  if (Buffer.byteLength(value, 'utf8') < 32) throw new Error(`${name} must be at least 32 bytes long`);
  return encoder.encode(value);
}

function jwksFrom(file: string | undefined): JSONWebKeySet | undefined {
  if (!file) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`JWT_JWKS_FILE ${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new Error(`JWT_JWKS_FILE ${file} is not a JWK set ({"keys": [...]})`);
  }
  return parsed as JSONWebKeySet;
}

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const mode = (env.AUTH ?? 'on').trim().toLowerCase();
  if (mode !== 'on' && mode !== 'off') throw new Error(`AUTH="${env.AUTH}" is invalid: expected "on" or "off"`);
  let adminKey: ApiKeyToken | undefined;
  if (env.JOBSTREAM_ADMIN_KEY) {
    const parsed = parseApiKey(env.JOBSTREAM_ADMIN_KEY);
    if (!parsed || parsed.keyId !== BOOTSTRAP_KEY_ID) {
      throw new Error(`JOBSTREAM_ADMIN_KEY must look like jsk_${BOOTSTRAP_KEY_ID}_<32 to 128 characters of [A-Za-z0-9_-]>`);
    }
    adminKey = parsed;
  }
  return {
    enabled: mode === 'on',
    hs256Secret: secretFrom(env, 'JWT_HS256_SECRET'),
    jwks: jwksFrom(env.JWT_JWKS_FILE),
    issuer: env.JWT_ISSUER || undefined,
    audience: env.JWT_AUDIENCE || undefined,
    serviceSecret: secretFrom(env, SERVICE_SECRET_ENV),
    rateLimitPerMinute: positiveIntFromEnv(env, 'RATE_LIMIT_PER_MINUTE', 6000),
    keyCacheMs: positiveIntFromEnv(env, 'API_KEY_CACHE_MS', 2000),
    adminKey,
  };
}

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
