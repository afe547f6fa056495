import { signServiceToken } from '@jobstream/auth';
import { apiKeyStreamId, streamIdOf } from '@jobstream/domain';
import { subjects } from '@jobstream/messaging';
import { JetStreamEventStore } from '@jobstream/event-store';
import { startNatsServer } from '@jobstream/testing';
import { connect, headers, JSONCodec } from 'nats';
import { ApiKeysService } from '../src/auth/api-keys.service';
import { loadAuthConfig } from '../src/auth/auth-config';
import { ADMIN_KEY, SERVICE_SECRET, startAuthGateway, TENANT, type AuthGateway } from './auth.test-helper';

jest.setTimeout(120_000);
const codec = JSONCodec();

describe('NATS entry points, safe XML and the bootstrap admin key (AUTH=on)', () => {
  let auth: AuthGateway;
  beforeAll(async () => {
    auth = await startAuthGateway();
  });
  afterAll(async () => {
    await auth?.stop();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ask = async (subject: string, body: unknown, authorization?: string): Promise<any> => {
    const h = headers();
    if (authorization) h.set('authorization', authorization);
    const reply = await auth.gw.nc.request(subject, codec.encode(body), { timeout: 5000, headers: h });
    return codec.decode(reply.data);
  };

  it('authenticates jobs.submit.<tenant> like HTTP: 401 without, 404 for a foreign tenant, 403 without Job:submit', async () => {
    expect(await ask(subjects.submit(TENANT), { type: 'noop' })).toMatchObject({ statusCode: 401, message: expect.stringMatching(/missing credentials/) });
    expect(await ask(subjects.sync(TENANT, 'noop'), {})).toMatchObject({ statusCode: 401 });
    const reader = await auth.createKey(['sys.job-read']);
    expect(await ask(subjects.submit(TENANT), { type: 'noop' }, `Bearer ${reader.key}`)).toMatchObject({ statusCode: 403 });
    const submitter = await auth.createKey(['sys.job-submit']);
    expect(await ask(subjects.submit('globex'), { type: 'noop' }, `Bearer ${submitter.key}`)).toMatchObject({ statusCode: 404 });
    const ok = await ask(subjects.submit(TENANT), { type: 'noop' }, `Bearer ${submitter.key}`);
    expect(ok.statusCode).toBe(202);
    const [recorded] = await auth.gw.store.read(streamIdOf(TENANT, 'job', ok.jobId));
    expect(recorded.event.actor).toBe(`key:${submitter.keyId}`);
  });

  it('accepts a short-lived service token signed with JOBSTREAM_SERVICE_SECRET and records the service as actor', async () => {
    const token = await signServiceToken('executor', SERVICE_SECRET);
    const ok = await ask(subjects.submit(TENANT), { type: 'child' }, `Bearer ${token}`);
    expect(ok.statusCode).toBe(202);
    const [recorded] = await auth.gw.store.read(streamIdOf(TENANT, 'job', ok.jobId));
    expect(recorded.event.actor).toBe('service:executor');
    const forged = await signServiceToken('executor', 'another-secret-that-is-long-enough-too');
    expect(await ask(subjects.submit(TENANT), { type: 'child' }, `Bearer ${forged}`)).toMatchObject({ statusCode: 401 });
    const stale = await signServiceToken('executor', SERVICE_SECRET, new Date(Date.now() - 10 * 60_000));
    expect(await ask(subjects.submit(TENANT), { type: 'child' }, `Bearer ${stale}`)).toMatchObject({ statusCode: 401, message: 'token expired' });
  });

  it('refuses XML with a DTD or entities through the REST route, and appends nothing', async () => {
    const before = await auth.gw.store.read(streamIdOf(TENANT, 'orchestration-definition', 'x'));
    for (const xml of [
      '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><orchestrationTask><name>&b;</name></orchestrationTask>',
      '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><orchestrationTask><name>&x;</name></orchestrationTask>',
    ]) {
      const answer = await auth.call('POST', `/${TENANT}/api/sync/orchestration-tasks`, { credential: ADMIN_KEY, raw: xml, contentType: 'application/xml' });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/DTD|DOCTYPE|entit/i);
    }
    expect(await auth.gw.store.read(streamIdOf(TENANT, 'orchestration-definition', 'x'))).toEqual(before);
  });

  it('lets exactly one of two gateways starting together create the admin key, printed once', async () => {
    const config = { ...loadAuthConfig(), adminKey: undefined };
    // On a fresh nats-server: the gateway above already holds an admin key.
    const printed: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const server = await startNatsServer();
      const nc = await connect({ servers: server.url });
      const store = await JetStreamEventStore.start(nc);
      const gateways = [new ApiKeysService(store, config), new ApiKeysService(store, config)];
      await Promise.all(gateways.map((g) => g.onApplicationBootstrap()));
      await Promise.all(gateways.map((g) => g.onModuleDestroy()));
      const events = await store.read(apiKeyStreamId('admin'));
      await store.close();
      await nc.close();
      await server.stop();
      expect(events.map((r) => r.event.type)).toEqual(['api-key.created']);
      expect(events[0].event.data).toMatchObject({ tenants: '*', rights: ['sys.admin'] });
      expect(printed.filter((line) => /jsk_admin_[A-Za-z0-9_-]{43}/.test(line))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});
