import { jobIdFor } from '@jobstream/contracts';
import { startGateway, type TestGateway } from './gateway.test-helper';

describe('POST /{tenant}/api/jobs and jobs:batch', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('queues a job with links, echoes the correlation id and records who asked', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', { type: 'transcode', payload: { file: 'a.mov' }, priority: 5 }, { 'x-correlation-id': 'corr-42' });
    expect(res.status).toBe(202);
    const { jobId } = res.body;
    expect(res.body).toEqual({
      jobId,
      status: 'QUEUED',
      duplicate: false,
      links: { self: `/acme/api/jobs/${jobId}`, history: `/acme/api/jobs/${jobId}/history`, cancel: `/acme/api/jobs/${jobId}/~cancel` },
    });
    expect(res.headers.get('x-correlation-id')).toBe('corr-42');
    expect(res.headers.get('location')).toBe(`/acme/api/jobs/${jobId}`);

    const [recorded] = await gw.eventsOf('acme', jobId);
    expect(recorded.event).toMatchObject({
      type: 'job.submitted',
      tenant: 'acme',
      actor: 'anonymous',
      correlationId: 'corr-42',
      causationId: null,
      data: { jobId, type: 'transcode', payload: { file: 'a.mov' }, priority: 5 },
    });
  });

  it('generates a correlation id when none is sent', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', { type: 'noop' });
    const correlationId = res.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const [recorded] = await gw.eventsOf('acme', res.body.jobId);
    expect(recorded.event.correlationId).toBe(correlationId);
  });

  it('answers WAITING_FOR_LOCK for a job that needs locks', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', {
      type: 'report',
      locks: [
        { resource: 'db', mode: 'EXCLUSIVE' },
        { resource: 'files', mode: 'SHARED' },
      ],
      timeouts: { firstDeadlineMs: 1000, secondDeadlineMs: 5000 },
      retry: { maxAttempts: 3 },
      workflowVariables: { run: 1 },
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('WAITING_FOR_LOCK');
    const events = await gw.eventsOf('acme', res.body.jobId);
    expect(events.map((r) => r.event.type)).toEqual(['job.submitted', 'job.waiting-for-lock']);
    expect(events[0].event.data).toMatchObject({
      timeouts: { firstDeadlineMs: 1000, secondDeadlineMs: 5000 },
      retry: { maxAttempts: 3, backoff: { kind: 'exponential', initialMs: 1000, maxMs: 60000 }, jitter: false, nonRetryableErrors: [] },
      workflowVariables: { run: 1 },
    });
  });

  it('returns the first job for a repeated idempotency key, never a second one', async () => {
    const first = await gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'order-1' });
    const again = await gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'order-1' });
    expect(first.body).toMatchObject({ jobId: jobIdFor('acme', 'order-1'), status: 'QUEUED', duplicate: false });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ jobId: first.body.jobId, status: 'QUEUED', duplicate: true });
    expect(await gw.eventsOf('acme', first.body.jobId)).toHaveLength(1);
  });

  it('lets exactly one of two concurrent submits with the same key create the job', async () => {
    const [a, b] = await Promise.all([
      gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'race', payload: { from: 'a' } }),
      gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'race', payload: { from: 'b' } }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.jobId).toBe(b.body.jobId);
    expect([a.body.duplicate, b.body.duplicate].sort()).toEqual([false, true]);
    const events = await gw.eventsOf('acme', a.body.jobId);
    expect(events.filter((r) => r.event.type === 'job.submitted')).toHaveLength(1);
  });

  it('scopes idempotency keys to the tenant', async () => {
    const acme = await gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'shared-key' });
    const other = await gw.request('POST', '/globex/api/jobs', { type: 'noop', idempotencyKey: 'shared-key' });
    expect(other.body.duplicate).toBe(false);
    expect(other.body.jobId).not.toBe(acme.body.jobId);
  });

  it('submits a batch of 1,000 in order, over the single-job body limit', async () => {
    // ~1.5 MiB in all: more than MAX_BODY_BYTES, well within MAX_BATCH_BODY_BYTES.
    const jobs = Array.from({ length: 1000 }, (_, i) => ({ type: 'noop', idempotencyKey: `batch-${i}`, payload: { i, pad: 'x'.repeat(1500) } }));
    const res = await gw.request('POST', '/acme/api/jobs:batch', { jobs });
    expect(res.status).toBe(202);
    expect(res.body.jobs).toHaveLength(1000);
    res.body.jobs.forEach((job: { jobId: string; status: string; duplicate: boolean }, i: number) => {
      expect(job).toEqual({ jobId: jobIdFor('acme', `batch-${i}`), status: 'QUEUED', duplicate: false });
    });
    const sample = await gw.eventsOf('acme', jobIdFor('acme', 'batch-999'));
    expect(sample[0].event.data).toMatchObject({ payload: { i: 999 } });
  });

  it('answers duplicates inside a batch with the first job', async () => {
    const res = await gw.request('POST', '/acme/api/jobs:batch', {
      jobs: [
        { type: 'noop', idempotencyKey: 'order-1' },
        { type: 'noop', idempotencyKey: 'b-new', locks: [{ resource: 'r', mode: 'SHARED' }] },
        { type: 'noop', idempotencyKey: 'b-new' },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.jobs).toEqual([
      { jobId: jobIdFor('acme', 'order-1'), status: 'QUEUED', duplicate: true },
      { jobId: jobIdFor('acme', 'b-new'), status: 'WAITING_FOR_LOCK', duplicate: false },
      { jobId: jobIdFor('acme', 'b-new'), status: 'WAITING_FOR_LOCK', duplicate: true },
    ]);
  });

  it('rejects the whole batch when one job is invalid, naming jobs[i].field, and appends nothing', async () => {
    const jobs = [
      { type: 'noop', idempotencyKey: 'bad-batch-0' },
      { type: 'noop', idempotencyKey: 'bad-batch-1' },
      { type: 'Not A Type', idempotencyKey: 'bad-batch-2' },
    ];
    const res = await gw.request('POST', '/acme/api/jobs:batch', { jobs });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', field: 'jobs[2].type' });
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'jobs[2].type' })]);
    for (const job of jobs) expect(await gw.eventsOf('acme', jobIdFor('acme', job.idempotencyKey))).toEqual([]);
  });

  it('rejects a batch a domain rule refuses (second deadline first), naming the job', async () => {
    const res = await gw.request('POST', '/acme/api/jobs:batch', {
      jobs: [
        { type: 'noop', idempotencyKey: 'bad-deadline-0' },
        { type: 'noop', idempotencyKey: 'bad-deadline-1', timeouts: { firstDeadlineMs: 5000, secondDeadlineMs: 1000 } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('jobs[1].timeouts');
    expect(await gw.eventsOf('acme', jobIdFor('acme', 'bad-deadline-0'))).toEqual([]);
  });

  it('rejects an empty batch and one over 1,000 jobs', async () => {
    const empty = await gw.request('POST', '/acme/api/jobs:batch', { jobs: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe('jobs');
    const tooMany = await gw.request('POST', '/acme/api/jobs:batch', { jobs: Array.from({ length: 1001 }, () => ({ type: 'noop' })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.field).toBe('jobs');
  });
});
