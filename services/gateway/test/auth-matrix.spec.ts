import { permissionsOf, RIGHT_NAMES, type Right } from '@jobstream/auth';
import { streamIdOf } from '@jobstream/domain';
import { AUTHENTICATED, permissionsNeeded, PUBLIC, ROUTE_PERMISSIONS } from '../src/auth/route-permissions';
import { ADMIN_KEY, concretePath, startAuthGateway, TENANT, type Answer, type AuthGateway } from './auth.test-helper';

jest.setTimeout(180_000);

const ROUTES = Object.entries(ROUTE_PERMISSIONS).map(([key, rule]) => {
  const [method, path] = key.split(' ');
  return { key, method, path, rule };
});
const GUARDED = ROUTES.filter((r) => r.rule !== PUBLIC);
const TENANT_ROUTES = GUARDED.filter((r) => r.path.startsWith('/:tenant/'));
const BODY_METHODS = new Set(['POST', 'PUT']);

const send = (auth: AuthGateway, route: (typeof ROUTES)[number], credential?: string, tenant = TENANT): Promise<Answer> =>
  auth.call(route.method, concretePath(route.path, tenant), { credential, ...(BODY_METHODS.has(route.method) && { body: {} }) });

/** A rejection by authentication or authorization, as opposed to whatever the route itself decided. */
const isAuthAnswer = (a: Answer) => a.status === 401 || a.status === 403;

describe('authorization matrix: every route × every right (AUTH=on, real nats-server)', () => {
  let auth: AuthGateway;
  const keys = new Map<Right, string>();

  beforeAll(async () => {
    auth = await startAuthGateway();
    for (const right of RIGHT_NAMES) keys.set(right, (await auth.createKey([right])).key);
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it.each(GUARDED.map((r) => [r.key, r] as const))('%s: allowed exactly for the rights holding its permission, else 403 naming it', async (_key, route) => {
    const needed = permissionsNeeded(route.rule);
    const answers = await Promise.all(
      RIGHT_NAMES.map(async (right) => {
        const answer = await send(auth, route, keys.get(right));
        const granted = permissionsOf([right]);
        const allowed = route.rule === AUTHENTICATED || needed.every((p) => granted.has(p));
        return { right, allowed, answer };
      }),
    );
    for (const { right, allowed, answer } of answers) {
      if (allowed) {
        expect({ right, status: answer.status, auth: isAuthAnswer(answer) }).toEqual({ right, status: answer.status, auth: false });
      } else {
        expect({ right, status: answer.status }).toEqual({ right, status: 403 });
        expect(answer.body).toMatchObject({ statusCode: 403, error: 'Forbidden', message: expect.stringMatching(/^missing permission [A-Za-z]+:[a-z-]+ \(granted by .*sys\.admin\)$/) });
      }
    }
  });

  it('answers 404 on every tenant route of a tenant the principal does not belong to, whatever its rights', async () => {
    const answers = await Promise.all(TENANT_ROUTES.map(async (r) => ({ route: r.key, status: (await send(auth, r, keys.get('sys.admin'), 'globex')).status })));
    expect(answers.filter((a) => a.status !== 404)).toEqual([]);
  });

  it('answers 401 with a JSON reason and WWW-Authenticate for no, malformed or unknown credentials on every guarded route', async () => {
    for (const credential of [undefined, 'jsk_nope', `jsk_admin_${'x'.repeat(43)}`, `jsk_unknown1_${'y'.repeat(43)}`, 'not-a-token', 'a.b.c']) {
      const answers = await Promise.all(GUARDED.map(async (r) => ({ route: r.key, answer: await send(auth, r, credential) })));
      for (const { route, answer } of answers) {
        expect({ route, credential, status: answer.status }).toEqual({ route, credential, status: 401 });
        expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="jobstream"');
      }
    }
    expect((await auth.call('GET', '/api/auth/whoami')).body.message).toMatch(/missing credentials/);
  });

  it('serves the open routes without credentials', async () => {
    for (const route of ROUTES.filter((r) => r.rule === PUBLIC && !r.path.startsWith('/api/docs'))) {
      expect({ route: route.key, auth: isAuthAnswer(await send(auth, route)) }).toEqual({ route: route.key, auth: false });
    }
  });

  it('records the key as the actor of what it appends', async () => {
    const { key, keyId } = await auth.createKey(['sys.job-submit']);
    const res = await auth.call('POST', `/${TENANT}/api/jobs`, { credential: key, body: { type: 'noop' } });
    expect(res.status).toBe(202);
    const [recorded] = await auth.gw.store.read(streamIdOf(TENANT, 'job', res.body.jobId));
    expect(recorded.event.actor).toBe(`key:${keyId}`);
    expect((await auth.call('GET', '/api/auth/whoami', { credential: key })).body).toMatchObject({ actor: `key:${keyId}`, tenants: [TENANT], rights: ['sys.job-submit'] });
  });

  it('stops a revoked key at once, and a rotated key\'s old secret while the new one works', async () => {
    const revoked = await auth.createKey(['sys.job-read']);
    expect((await auth.call('GET', `/${TENANT}/api/jobs/nope1/history`, { credential: revoked.key })).status).toBe(404);
    const revoke = await auth.call('DELETE', `/api/keys/${revoked.keyId}`, { credential: ADMIN_KEY, body: { reason: 'leaked' } });
    expect(revoke.body).toMatchObject({ keyId: revoked.keyId, status: 'revoked' });
    expect(await auth.call('GET', `/${TENANT}/api/jobs/nope1/history`, { credential: revoked.key })).toMatchObject({ status: 401, body: { message: 'API key revoked' } });
    expect((await auth.call('DELETE', `/api/keys/${revoked.keyId}`, { credential: ADMIN_KEY })).status).toBe(409);

    const old = await auth.createKey(['sys.job-read']);
    const rotated = await auth.call('POST', `/api/keys/${old.keyId}/~rotate`, { credential: ADMIN_KEY });
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).not.toBe(old.key);
    expect(rotated.body.key.startsWith(`jsk_${old.keyId}_`)).toBe(true);
    expect((await auth.call('GET', `/${TENANT}/api/jobs/nope1/history`, { credential: old.key })).status).toBe(401);
    expect((await auth.call('GET', `/${TENANT}/api/jobs/nope1/history`, { credential: rotated.body.key })).status).toBe(404);
  });

  it('stops an expired key', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const { key } = await auth.createKey(['sys.job-read'], [TENANT], { expiresAt: soon });
    expect((await auth.call('GET', `/${TENANT}/api/jobs/nope1/history`, { credential: key })).status).toBe(404);
    const deadline = Date.now() + 10_000;
    let answer: Answer;
    do {
      await new Promise((r) => setTimeout(r, 200));
      answer = await auth.call('GET', `/${TENANT}/api/jobs/nope1/history`, { credential: key });
    } while (answer.status !== 401 && Date.now() < deadline);
    expect(answer).toMatchObject({ status: 401, body: { message: 'API key expired' } });
  });

  it('never lets a key hand out more than it holds, and hides keys outside its tenants', async () => {
    const keyAdmin = await auth.createKey(['sys.api-key-admin', 'sys.job-read']);
    const escalate = [
      { name: 'wider', tenants: '*', rights: ['sys.job-read'] },
      { name: 'other', tenants: ['globex'], rights: ['sys.job-read'] },
      { name: 'stronger', tenants: [TENANT], rights: ['sys.admin'] },
    ];
    for (const body of escalate) expect((await auth.call('POST', '/api/keys', { credential: keyAdmin.key, body })).status).toBe(403);
    const made = await auth.call('POST', '/api/keys', { credential: keyAdmin.key, body: { name: 'ok', tenants: [TENANT], rights: ['sys.job-read'] } });
    expect(made.status).toBe(201);
    const listed = await auth.call('GET', '/api/keys', { credential: keyAdmin.key });
    expect(listed.body.keys.some((k: { keyId: string }) => k.keyId === 'admin')).toBe(false);
    expect(JSON.stringify(listed.body)).not.toMatch(/secretHash|jsk_/);
    expect((await auth.call('POST', '/api/keys/admin/~rotate', { credential: keyAdmin.key })).status).toBe(404);
  });

  it('accepts user JWTs (HS256 and RS256 from the JWKS file) with their tenants and rights, and refuses bad ones with 401', async () => {
    const hs = await auth.userToken({ sub: 'alice', tenants: [TENANT], rights: ['sys.job-submit'] });
    const res = await auth.call('POST', `/${TENANT}/api/jobs`, { credential: hs, body: { type: 'noop' } });
    expect(res.status).toBe(202);
    const [recorded] = await auth.gw.store.read(streamIdOf(TENANT, 'job', res.body.jobId));
    expect(recorded.event.actor).toBe('user:alice');
    expect((await auth.call('DELETE', `/${TENANT}/api/jobs/${res.body.jobId}`, { credential: hs })).status).toBe(403);
    expect((await auth.call('GET', `/globex/api/jobs/x/history`, { credential: hs })).status).toBe(404);

    const rs = await auth.userToken({ sub: 'bob', tenants: '*', rights: ['sys.job-read'] }, { alg: 'RS256' });
    expect((await auth.call('GET', '/api/auth/whoami', { credential: rs })).body).toMatchObject({ actor: 'user:bob', tenants: '*' });

    const bad: [string, string | RegExp][] = [
      [await auth.userToken({ sub: 'c', tenants: [TENANT], rights: [] }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), 'token expired'],
      [await auth.userToken({ sub: 'c', tenants: [TENANT], rights: [] }, { secret: 'some-other-secret-that-is-long-enough!!' }), 'token signature is invalid'],
      [await auth.userToken({ sub: 'c', rights: [] }), /tenants/],
      [await auth.userToken({ sub: 'service:executor', tenants: '*', rights: ['sys.admin'] }), /./],
    ];
    for (const [token, reason] of bad) {
      const answer = await auth.call('GET', '/api/auth/whoami', { credential: token });
      expect(answer.status).toBe(401);
      expect(answer.body.message).toMatch(reason);
    }
  });
});
