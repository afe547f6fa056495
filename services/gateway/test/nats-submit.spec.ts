import { jobIdFor } from '@jobstream/contracts';
import { subjects } from '@jobstream/messaging';
import { headers, JSONCodec } from 'nats';
import { startGateway, type TestGateway } from './gateway.test-helper';

describe('NATS submit on jobs.submit.<tenant>', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.stop();
  });

  const codec = JSONCodec();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ask = async (subject: string, body: unknown, h?: Record<string, string>): Promise<any> => {
    const msgHeaders = headers();
    for (const [k, v] of Object.entries(h ?? {})) msgHeaders.set(k, v);
    const data = typeof body === 'string' ? new TextEncoder().encode(body) : codec.encode(body);
    const reply = await gw.nc.request(subject, data, { timeout: 5000, headers: msgHeaders });
    return codec.decode(reply.data);
  };

  it('answers like the REST submit plus statusCode, keeping the caller’s correlation and causation', async () => {
    const answer = await ask(subjects.submit('acme'), { type: 'child', payload: { n: 1 }, idempotencyKey: 'child-1' }, {
      'x-correlation-id': 'parent-corr',
      'x-causation-id': 'parent-event',
    });
    const jobId = jobIdFor('acme', 'child-1');
    expect(answer).toEqual({
      statusCode: 202,
      jobId,
      status: 'QUEUED',
      duplicate: false,
      links: { self: `/acme/api/jobs/${jobId}`, history: `/acme/api/jobs/${jobId}/history`, cancel: `/acme/api/jobs/${jobId}/~cancel` },
    });
    const [recorded] = await gw.eventsOf('acme', jobId);
    expect(recorded.event).toMatchObject({ type: 'job.submitted', correlationId: 'parent-corr', causationId: 'parent-event', actor: 'anonymous' });

    const again = await ask(subjects.submit('acme'), { type: 'child', idempotencyKey: 'child-1' });
    expect(again).toMatchObject({ statusCode: 202, jobId, duplicate: true });
    // What REST shows is what NATS created.
    expect((await gw.request('GET', `/acme/api/jobs/${jobId}`)).body).toMatchObject({ status: 'QUEUED', payload: { n: 1 } });
  });

  it('takes a batch as {jobs: [...]}', async () => {
    const answer = await ask(subjects.submit('acme'), { jobs: [{ type: 'a' }, { type: 'b', locks: [{ resource: 'x', mode: 'SHARED' }] }] });
    expect(answer.statusCode).toBe(202);
    expect(answer.jobs.map((j: { status: string }) => j.status)).toEqual(['QUEUED', 'WAITING_FOR_LOCK']);
  });

  it('answers errors in the REST shape, appending nothing', async () => {
    const invalid = await ask(subjects.submit('acme'), { type: 'noop', idempotencyKey: 'nats-bad', locks: [{ resource: 'x', mode: 'MAYBE' }] });
    expect(invalid).toMatchObject({ statusCode: 400, error: 'Bad Request', field: 'locks[0].mode' });
    expect(await gw.eventsOf('acme', jobIdFor('acme', 'nats-bad'))).toEqual([]);

    const batch = await ask(subjects.submit('acme'), { jobs: [{ type: 'ok' }, { type: 'noop', extra: 1 }] });
    expect(batch).toMatchObject({ statusCode: 400, field: 'jobs[1].extra' });

    const malformed = await ask(subjects.submit('acme'), '{"type":');
    expect(malformed).toMatchObject({ statusCode: 400, message: 'malformed JSON' });

    const badTenant = await ask('jobs.submit.Not_Valid', { type: 'noop' });
    expect(badTenant).toMatchObject({ statusCode: 400, field: 'tenant' });
  });
});
