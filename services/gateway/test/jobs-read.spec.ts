import { startGateway, type TestGateway } from './gateway.test-helper';

describe('GET /{tenant}/api/jobs...', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.stop();
  });

  const submit = async (body: object = { type: 'noop', payload: { n: 1 } }) => (await gw.request('POST', '/acme/api/jobs', body)).body.jobId as string;

  it('folds the job from its own stream, read-your-writes', async () => {
    const jobId = await submit({ type: 'transcode', payload: { file: 'a.mov' }, priority: 3, workflowVariables: { w: 1 } });
    await gw.drive('acme', jobId, [
      { type: 'start', executorId: 'ex-1' },
      { type: 'progress', executorId: 'ex-1', percent: 40, message: 'halfway-ish' },
    ]);
    const res = await gw.request('GET', `/acme/api/jobs/${jobId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      jobId,
      tenant: 'acme',
      type: 'transcode',
      status: 'RUNNING',
      priority: 3,
      payload: { file: 'a.mov' },
      progress: { percent: 40, message: 'halfway-ish' },
      jobVariables: {},
      workflowVariables: { w: 1 },
      output: null,
      attempt: 1,
      executorId: 'ex-1',
      locks: [],
      timestamps: { submittedAt: expect.any(String), startedAt: expect.any(String), endedAt: null, updatedAt: expect.any(String) },
      lastError: null,
      cancelRequested: false,
      definitionId: null,
    });
  });

  it('shows the job as it was at ?asOf', async () => {
    const jobId = await submit();
    const before = await gw.eventsOf('acme', jobId);
    const submittedAt = before[0].event.occurredAt;
    await new Promise((r) => setTimeout(r, 5));
    await gw.drive('acme', jobId, [{ type: 'start', executorId: 'ex-1' }]);

    const then = await gw.request('GET', `/acme/api/jobs/${jobId}?asOf=${submittedAt}`);
    expect(then.body).toMatchObject({ status: 'QUEUED', executorId: null });
    const now = await gw.request('GET', `/acme/api/jobs/${jobId}?asOf=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(now.body).toMatchObject({ status: 'RUNNING', executorId: 'ex-1' });
    const beforeSubmit = await gw.request('GET', `/acme/api/jobs/${jobId}?asOf=2000-01-01T00:00:00Z`);
    expect(beforeSubmit.status).toBe(404);
  });

  it('lists the history in order with each event’s metadata', async () => {
    const res = await gw.request('POST', '/acme/api/jobs', { type: 'noop' }, { 'x-correlation-id': 'hist-1' });
    const jobId = res.body.jobId;
    await gw.drive('acme', jobId, [{ type: 'start', executorId: 'ex-1' }, { type: 'complete', executorId: 'ex-1', output: { ok: true } }]);
    const history = await gw.request('GET', `/acme/api/jobs/${jobId}/history`);
    expect(history.status).toBe(200);
    expect(history.body.jobId).toBe(jobId);
    expect(history.body.events.map((e: { revision: number; type: string }) => [e.revision, e.type])).toEqual([
      [0, 'job.submitted'],
      [1, 'job.started'],
      [2, 'job.completed'],
    ]);
    expect(history.body.events[0]).toEqual({
      revision: 0,
      type: 'job.submitted',
      occurredAt: expect.any(String),
      actor: 'anonymous',
      correlationId: 'hist-1',
      causationId: null,
      data: expect.objectContaining({ jobId, type: 'noop' }),
    });
    expect(history.body.events[2].data).toMatchObject({ output: { ok: true } });
  });

  it('404 for an unknown job, its history, in the error shape', async () => {
    for (const path of ['/acme/api/jobs/no-such-job', '/acme/api/jobs/no-such-job/history']) {
      const res = await gw.request('GET', path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'no job no-such-job' });
    }
  });

  it('does not show one tenant’s job to another', async () => {
    const jobId = await submit();
    expect((await gw.request('GET', `/globex/api/jobs/${jobId}`)).status).toBe(404);
  });

  it('hides a deleted job but keeps its history readable for audit', async () => {
    const jobId = await submit();
    await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`);
    expect((await gw.request('DELETE', `/acme/api/jobs/${jobId}`)).status).toBe(204);
    expect((await gw.request('GET', `/acme/api/jobs/${jobId}`)).status).toBe(404);
    const history = await gw.request('GET', `/acme/api/jobs/${jobId}/history`);
    expect(history.status).toBe(200);
    expect(history.body.events.at(-1).type).toBe('job.deleted');
  });

  // No projector runs beside this gateway; jobs-list.spec.ts runs the real one.
  it('503 with a JSON reason while no projector answers the list query', async () => {
    const res = await gw.request('GET', '/acme/api/jobs?status=QUEUED');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'the job list is unavailable: no projector is running' });
  });

  it('keeps /health answering next to the jobs API', async () => {
    const res = await gw.request('GET', '/health');
    // Only the gateway runs here, so the system is degraded, and says so in JSON.
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'degraded', services: { gateway: 'up', projector: 'down' } });
  });
});
