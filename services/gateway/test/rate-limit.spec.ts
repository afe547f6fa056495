import { startAuthGateway, type AuthGateway } from './auth.test-helper';

jest.setTimeout(60_000);

describe('rate limit per tenant and key (RATE_LIMIT_PER_MINUTE=5)', () => {
  let auth: AuthGateway;
  beforeAll(async () => {
    auth = await startAuthGateway({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('answers 429 with Retry-After once a key used up its minute in a tenant, without touching other keys or tenants', async () => {
    const { key } = await auth.createKey(['sys.job-read'], ['acme', 'globex']);
    const other = await auth.createKey(['sys.job-read'], ['acme']);
    const path = (tenant: string) => `/${tenant}/api/jobs/nope1/history`;
    for (let i = 0; i < 5; i++) expect((await auth.call('GET', path('acme'), { credential: key })).status).toBe(404);
    const limited = await auth.call('GET', path('acme'), { credential: key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/acme:key:/) });
    expect((await auth.call('GET', path('globex'), { credential: key })).status).toBe(404);
    expect((await auth.call('GET', path('acme'), { credential: other.key })).status).toBe(404);
    expect((await auth.call('GET', '/health')).status).not.toBe(429);
  });
});
