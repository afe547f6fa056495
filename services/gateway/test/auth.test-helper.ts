import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RIGHT_NAMES } from '@jobstream/auth';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { startGateway, type TestGateway } from './gateway.test-helper';

export const ADMIN_KEY = `jsk_admin_${'A1b2C3d4'.repeat(6)}`;
export const HS256_SECRET = 'an-hs256-test-secret-of-at-least-32-bytes';
export const SERVICE_SECRET = 'a-service-test-secret-of-at-least-32-bytes';
export const TENANT = 'acme';

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface AuthGateway {
  gw: TestGateway;
  /** RS256 signing key whose public half is in the gateway's JWKS file. */
  rsaKey: CryptoKey;
  /** Any request; an event stream answers with its status only (its body never ends). */
  call(method: string, path: string, options?: { credential?: string; body?: unknown; raw?: Buffer | string; contentType?: string; headers?: Record<string, string> }): Promise<Answer>;
  createKey(rights: string[], tenants?: '*' | string[], extra?: Record<string, unknown>): Promise<{ key: string; keyId: string }>;
  userToken(claims: Record<string, unknown>, options?: { alg?: 'HS256' | 'RS256'; expiresIn?: string | number; secret?: string }): Promise<string>;
  stop(): Promise<void>;
}

/** The gateway as main.ts wires it, with AUTH=on, the admin key provisioned and both JWT verifiers configured. */
export async function startAuthGateway(env: Record<string, string> = {}): Promise<AuthGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'jobstream-auth-'));
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'RS256', use: 'sig' };
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
  Object.assign(process.env, {
    AUTH: 'on',
    JOBSTREAM_ADMIN_KEY: ADMIN_KEY,
    JWT_HS256_SECRET: HS256_SECRET,
    JWT_JWKS_FILE: jwksFile,
    JOBSTREAM_SERVICE_SECRET: SERVICE_SECRET,
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...env,
  });
  const gw = await startGateway();

  const call: AuthGateway['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.credential !== undefined) headers.authorization = `Bearer ${options.credential}`;
    let body: RequestInit['body'];
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const res = await fetch(`${gw.baseUrl}${path}`, { method, headers, body });
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel();
      return { status: res.status, headers: res.headers, body: undefined };
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Plain-text answers (metrics, orchestration instance ids) stay text.
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  const createKey: AuthGateway['createKey'] = async (rights, tenants = [TENANT], extra = {}) => {
    const res = await call('POST', '/api/keys', { credential: ADMIN_KEY, body: { name: `test ${rights.join(' ')}`, tenants, rights, ...extra } });
    if (res.status !== 201) throw new Error(`key not created: ${res.status} ${JSON.stringify(res.body)}`);
    return { key: res.body.key, keyId: res.body.keyId };
  };

  const userToken: AuthGateway['userToken'] = async (claims, options = {}) => {
    const alg = options.alg ?? 'HS256';
    const jwt = new SignJWT(claims).setProtectedHeader(alg === 'RS256' ? { alg, kid: 'test-1' } : { alg }).setIssuedAt().setExpirationTime(options.expiresIn ?? '5m');
    return alg === 'RS256' ? jwt.sign(privateKey) : jwt.sign(new TextEncoder().encode(options.secret ?? HS256_SECRET));
  };

  return {
    gw,
    rsaKey: privateKey,
    call,
    createKey,
    userToken,
    stop: async () => {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `/:tenant/api/jobs/:jobId/\~cancel` → `/acme/api/jobs/nope1/~cancel`: ids that exist nowhere. */
export const concretePath = (routePath: string, tenant = TENANT): string =>
  routePath
    .replace(/\\/g, '')
    .replace(/(^|\/):tenant(?=\/|$)/, `$1${tenant}`)
    .replace(/(^|\/):[A-Za-z0-9_]+/g, '$1nope1');

export const ALL_RIGHTS = RIGHT_NAMES;
