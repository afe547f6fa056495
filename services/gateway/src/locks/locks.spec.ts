import { LOCK_SUBJECTS } from '@jobstream/messaging';
import { JSONCodec, type Subscription } from 'nats';
import { startGateway, type TestGateway } from '../../test/gateway.test-helper';

const codec = JSONCodec<{ data: unknown; id: string }>();
const reply = JSONCodec<unknown>();

describe('locks API and lock input at submit (real nats-server)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.stop();
  });

  describe('bad lock input at submit is a 400 naming the field', () => {
    const submit = (locks: unknown) => gw.request('POST', '/acme/api/jobs', { type: 'noop', locks });

    it.each([
      ['an unknown mode', [{ resource: 'asset:1', mode: 'READ' }], 'locks[0].mode'],
      ['an empty resource', [{ resource: '', mode: 'SHARED' }], 'locks[0].resource'],
      ['a blank resource', [{ resource: '   ', mode: 'SHARED' }], 'locks[0].resource'],
      ['a missing mode', [{ resource: 'asset:1' }], 'locks[0].mode'],
      ['more locks than allowed', Array.from({ length: 17 }, (_, i) => ({ resource: `r${i}`, mode: 'SHARED' })), 'locks'],
      ['the same resource twice', [{ resource: 'r', mode: 'SHARED' }, { resource: 'r', mode: 'EXCLUSIVE' }], 'locks[1]'],
    ])('%s', async (_what, locks, field) => {
      const res = await submit(locks);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', field });
    });

    it('accepts valid locks and answers WAITING_FOR_LOCK', async () => {
      const res = await submit([{ resource: 'asset:1', mode: 'EXCLUSIVE' }]);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('WAITING_FOR_LOCK');
    });
  });

  it('answers 503 while no lock manager runs', async () => {
    const res = await gw.request('GET', '/acme/api/locks');
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/no lock manager is running/);
  });

  it('rejects a bad tenant and a bad body before asking the lock manager', async () => {
    expect((await gw.request('GET', '/Not.A.Tenant/api/locks')).body).toMatchObject({ statusCode: 400, field: 'tenant' });
    const res = await gw.request('POST', '/acme/api/locks/r/~release', { reason: 42 });
    expect(res.body).toMatchObject({ statusCode: 400, field: 'reason' });
    const extra = await gw.request('POST', '/acme/api/locks/r/~release', { force: true });
    expect(extra.body).toMatchObject({ statusCode: 400, field: 'force' });
  });

  describe('with a lock manager answering over NATS', () => {
    let responder: Subscription;
    const seen: unknown[] = [];
    beforeAll(async () => {
      // Stands in for the lock-manager process (services never import each other); the end-to-end
      // test runs the real one. It answers in Nest's wire format: {response} or {err}.
      responder = gw.nc.subscribe('locks.*', {
        callback: (_error, msg) => {
          const { data } = codec.decode(msg.data);
          seen.push({ subject: msg.subject, data });
          if (msg.subject === LOCK_SUBJECTS.table) {
            msg.respond(reply.encode({ response: { resources: [{ resource: 'r', holders: [{ jobId: 'a', mode: 'EXCLUSIVE', since: 't' }], waiters: [] }] } }));
          } else if ((data as { resource: string }).resource === 'r') {
            msg.respond(reply.encode({ response: { resource: 'r', holders: [], waiters: [] } }));
          } else {
            msg.respond(reply.encode({ err: { code: 'NOT_FOUND', message: 'nobody holds free' } }));
          }
        },
      });
      await gw.nc.flush();
    });
    afterAll(() => responder.unsubscribe());

    it('GET /locks returns the table', async () => {
      const res = await gw.request('GET', '/acme/api/locks');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ resources: [{ resource: 'r', holders: [{ jobId: 'a', mode: 'EXCLUSIVE', since: 't' }], waiters: [] }] });
    });

    it('force release sends the actor and reason, and answers with the resource', async () => {
      const res = await gw.request('POST', '/acme/api/locks/r/~release', { reason: 'stuck' }, { 'x-correlation-id': 'corr-7' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ resource: 'r', holders: [], waiters: [] });
      expect(seen).toContainEqual({
        subject: LOCK_SUBJECTS.forceRelease,
        data: { tenant: 'acme', resource: 'r', actor: 'anonymous', correlationId: 'corr-7', reason: 'stuck' },
      });
    });

    it('force release of a resource nobody holds is a 404', async () => {
      const res = await gw.request('POST', '/acme/api/locks/free/~release');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'nobody holds free' });
    });
  });
});
