import { jobIdFor } from '@jobstream/contracts';
import { loadHttpLimits } from '../src/errors/http-setup';
import { startGateway, type TestGateway } from './gateway.test-helper';

const KIB = 1024;

describe('error answers', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Small limits from the environment, as an operator would set them, keep the bodies here small.
    process.env.MAX_BODY_BYTES = String(64 * KIB);
    process.env.MAX_BATCH_BODY_BYTES = String(256 * KIB);
    gw = await startGateway();
  });
  afterAll(async () => {
    delete process.env.MAX_BODY_BYTES;
    delete process.env.MAX_BATCH_BODY_BYTES;
    await gw.stop();
  });

  const nothingAppended = async (tenant: string, key: string) => expect(await gw.eventsOf(tenant, jobIdFor(tenant, key))).toEqual([]);

  it.each([
    ['a bad type', 'type', { type: 'Bad Type!' }],
    ['a bad lock mode', 'locks[0].mode', { type: 'noop', locks: [{ resource: 'db', mode: 'SOMETIMES' }] }],
    ['an unknown field', 'colour', { type: 'noop', colour: 'blue' }],
    ['a payload that is not an object', 'payload', { type: 'noop', payload: 'text' }],
    ['a retry policy without maxAttempts', 'retry.maxAttempts', { type: 'noop', retry: {} }],
    ['a lock requested twice', 'locks[1]', { type: 'noop', locks: [{ resource: 'db', mode: 'SHARED' }, { resource: 'db', mode: 'EXCLUSIVE' }] }],
    ['a second deadline before the first', 'timeouts', { type: 'noop', timeouts: { firstDeadlineMs: 900, secondDeadlineMs: 800 } }],
  ])('400 for %s, naming %s, appending nothing', async (_what, field, body) => {
    const key = `rejected-${field}`;
    const res = await gw.request('POST', '/acme/api/jobs', { ...body, idempotencyKey: key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining(field),
      field,
      errors: expect.arrayContaining([expect.objectContaining({ field })]),
    });
    await nothingAppended('acme', key);
  });

  it('400 naming tenant for a tenant that is not an identifier', async () => {
    const res = await gw.request('POST', '/Not_A.Tenant/api/jobs', { type: 'noop', idempotencyKey: 'bad-tenant' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('tenant');
    const get = await gw.request('GET', '/ACME/api/jobs/some-job');
    expect(get.status).toBe(400);
    expect(get.body.field).toBe('tenant');
  });

  it('400 naming jobId for a job id that cannot be a stream token', async () => {
    const res = await gw.request('GET', '/acme/api/jobs/a.b');
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('jobId');
  });

  it('400 for malformed JSON, appending nothing', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', '{"type": "noop", "idempotencyKey": "malformed",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'malformed JSON',
      field: '(body)',
      errors: [{ field: '(body)', message: 'malformed JSON' }],
    });
    await nothingAppended('acme', 'malformed');
  });

  it('400 for a JSON body that is not an object', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', '[1, 2]');
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('(body)');
  });

  it('reads plain application/json as body-parser reads the other JSON types', async () => {
    const bodies: Buffer[] = [
      '{"type":"noop"}',
      ' \n{"type":"noop"}\n',
      '\ufeff{"type":"noop"}',
      '"text"',
      '1',
      'null',
      '  [1]',
      '\u00a0{"type":"noop"}',
      '{"type":"noop"',
      '{"type":"noop","__proto__":{"x":1}}',
      '',
    ].map((text) => Buffer.from(text, 'utf8'));
    bodies.push(Buffer.concat([Buffer.from('{"type":"noop","payload":{"s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]));
    const post = async (body: Buffer, type: string) => {
      const res = await fetch(`${gw.baseUrl}/acme/api/jobs`, { method: 'POST', body, headers: { 'content-type': type } });
      const answer = (await res.json()) as { jobId?: string };
      return { status: res.status, answer: res.status < 300 ? 'accepted' : answer };
    };
    for (const body of bodies) {
      const viaBodyParser = await post(body, 'application/vnd.jobstream+json');
      for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
        expect({ body: body.toString('utf8'), type, ...(await post(body, type)) }).toEqual({ body: body.toString('utf8'), type, ...viaBodyParser });
      }
    }
  });

  it('413 for a body over MAX_BODY_BYTES, appending nothing', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'huge', payload: { blob: 'x'.repeat(70 * KIB) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.stringContaining(String(64 * KIB)) });
    await nothingAppended('acme', 'huge');
  });

  it('applies MAX_BATCH_BODY_BYTES to the batch route only', async () => {
    const job = (key: string) => ({ type: 'noop', idempotencyKey: key, payload: { blob: 'x'.repeat(35 * KIB) } });
    const fits = await gw.request('POST', '/acme/api/jobs:batch', { jobs: [job('big-1'), job('big-2')] });
    expect(fits.status).toBe(202);
    const tooBig = await gw.request('POST', '/acme/api/jobs:batch', { jobs: Array.from({ length: 8 }, (_, i) => job(`too-big-${i}`)) });
    expect(tooBig.status).toBe(413);
    await nothingAppended('acme', 'too-big-0');
  });

  it('415 for a body that is not JSON, appending nothing', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', 'type=noop&idempotencyKey=form', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ statusCode: 415, error: 'Unsupported Media Type', message: expect.stringContaining('application/json') });
    await nothingAppended('acme', 'form');
  });

  it('404 in the same shape for an unknown route', async () => {
    const res = await gw.request('GET', '/acme/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });

  it('400 naming the query parameter for a bad list filter', async () => {
    for (const [query, field] of [
      ['status=DONE', 'status'],
      ['type=Bad%20Type', 'type'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['colour=blue', 'colour'],
      ['tenant=globex', 'tenant'],
    ]) {
      const res = await gw.request('GET', `/acme/api/jobs?${query}`);
      expect({ query, status: res.status, field: res.body.field }).toEqual({ query, status: 400, field });
    }
  });

  it('400 naming asOf when it is not an ISO-8601 date-time', async () => {
    const submitted = await gw.request('POST', '/acme/api/jobs', { type: 'noop' });
    const res = await gw.request('GET', `/acme/api/jobs/${submitted.body.jobId}?asOf=last-tuesday`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('asOf');
  });

  it('refuses body limits that are not positive byte counts', () => {
    expect(() => loadHttpLimits({ MAX_BODY_BYTES: '1MB' })).toThrow('MAX_BODY_BYTES');
    expect(loadHttpLimits({})).toEqual({ maxBodyBytes: 1_048_576, maxBatchBodyBytes: 16_777_216 });
  });
});
