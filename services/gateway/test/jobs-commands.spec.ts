import { subjects } from '@jobstream/messaging';
import { JSONCodec } from 'nats';
import { startGateway, type TestGateway } from './gateway.test-helper';

describe('POST ~cancel, POST ~retry, DELETE', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.stop();
  });

  const submit = async () => (await gw.request('POST', '/acme/api/jobs', { type: 'noop' })).body.jobId as string;
  const types = async (jobId: string) => (await gw.eventsOf('acme', jobId)).map((r) => r.event.type);
  const completed = async () => {
    const jobId = await submit();
    await gw.drive('acme', jobId, [{ type: 'start', executorId: 'ex-1' }, { type: 'complete', executorId: 'ex-1' }]);
    return jobId;
  };
  const failed = async () => {
    const jobId = await submit();
    await gw.drive('acme', jobId, [{ type: 'start', executorId: 'ex-1' }, { type: 'fail', executorId: 'ex-1', message: 'boom' }]);
    return jobId;
  };

  describe('~cancel', () => {
    it('cancels a QUEUED job at once', async () => {
      const jobId = await submit();
      const res = await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`, { reason: 'not needed' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ jobId, status: 'CANCELLED', cancelRequested: true, attempt: 1 });
      expect(await types(jobId)).toEqual(['job.submitted', 'job.cancel-requested', 'job.cancelled']);
      const [, requested] = await gw.eventsOf('acme', jobId);
      expect(requested.event).toMatchObject({ actor: 'anonymous', data: { reason: 'not needed' } });
    });

    it('asks the executor of a RUNNING job to stop, with a core-NATS notice', async () => {
      const jobId = await submit();
      await gw.drive('acme', jobId, [{ type: 'start', executorId: 'ex-1' }]);
      const notices = gw.nc.subscribe(subjects.cancel('acme', jobId), { max: 1 });
      await gw.nc.flush();

      const res = await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`, undefined, { 'x-correlation-id': 'cancel-1' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ jobId, status: 'RUNNING', cancelRequested: true, attempt: 1 });
      expect(await types(jobId)).toEqual(['job.submitted', 'job.started', 'job.cancel-requested']);
      for await (const notice of notices) {
        expect(notice.subject).toBe(`jobs.cancel.acme.${jobId}`);
        expect(JSONCodec().decode(notice.data)).toEqual({ correlationId: 'cancel-1' });
      }
    });

    it('409 for a finished job, appending nothing', async () => {
      const jobId = await completed();
      const res = await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`);
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'cannot cancel a job that is COMPLETED' });
      expect(await types(jobId)).toEqual(['job.submitted', 'job.started', 'job.completed']);
    });

    it('409 when a cancellation is already pending', async () => {
      const jobId = await submit();
      await gw.drive('acme', jobId, [{ type: 'start', executorId: 'ex-1' }]);
      await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`);
      expect((await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`)).status).toBe(409);
    });

    it('404 for an unknown job', async () => {
      const res = await gw.request('POST', '/acme/api/jobs/nobody/~cancel');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('400 for an unknown body field, appending nothing', async () => {
      const jobId = await submit();
      const res = await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`, { why: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('why');
      expect(await types(jobId)).toEqual(['job.submitted']);
    });
  });

  describe('~retry', () => {
    it('requeues a FAILED job as its next attempt', async () => {
      const jobId = await failed();
      const res = await gw.request('POST', `/acme/api/jobs/${jobId}/~retry`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ jobId, status: 'QUEUED', cancelRequested: false, attempt: 2 });
      expect((await types(jobId)).at(-1)).toBe('job.retried');
    });

    it('requeues a CANCELLED job', async () => {
      const jobId = await submit();
      await gw.request('POST', `/acme/api/jobs/${jobId}/~cancel`);
      expect((await gw.request('POST', `/acme/api/jobs/${jobId}/~retry`)).body.status).toBe('QUEUED');
    });

    it('409 for a job that is not FAILED, CANCELLED or TIMED_OUT, appending nothing', async () => {
      for (const jobId of [await submit(), await completed()]) {
        const before = await types(jobId);
        const res = await gw.request('POST', `/acme/api/jobs/${jobId}/~retry`);
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
        expect(await types(jobId)).toEqual(before);
      }
    });

    it('404 for an unknown job', async () => {
      expect((await gw.request('POST', '/acme/api/jobs/nobody/~retry')).status).toBe(404);
    });

    it('400 for any body field: a retry takes no input', async () => {
      const jobId = await failed();
      const res = await gw.request('POST', `/acme/api/jobs/${jobId}/~retry`, { attempt: 5 });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('attempt');
      expect((await types(jobId)).at(-1)).toBe('job.failed');
    });
  });

  describe('DELETE', () => {
    it('204 for a finished job; the stream keeps a job.deleted event', async () => {
      const jobId = await completed();
      const res = await gw.request('DELETE', `/acme/api/jobs/${jobId}`);
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      expect((await types(jobId)).at(-1)).toBe('job.deleted');
      expect((await gw.request('GET', `/acme/api/jobs/${jobId}`)).status).toBe(404);
      expect((await gw.request('DELETE', `/acme/api/jobs/${jobId}`)).status).toBe(404);
    });

    it('409 for a job that has not finished, appending nothing', async () => {
      const jobId = await submit();
      const res = await gw.request('DELETE', `/acme/api/jobs/${jobId}`);
      expect(res.status).toBe(409);
      expect(await types(jobId)).toEqual(['job.submitted']);
    });

    it('404 for an unknown job', async () => {
      expect((await gw.request('DELETE', '/acme/api/jobs/nobody')).status).toBe(404);
    });

    it('keeps a deleted job’s idempotency key spent: a repeat answers the deleted job', async () => {
      const first = await gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'to-delete' });
      await gw.request('POST', `/acme/api/jobs/${first.body.jobId}/~cancel`);
      await gw.request('DELETE', `/acme/api/jobs/${first.body.jobId}`);
      const again = await gw.request('POST', '/acme/api/jobs', { type: 'noop', idempotencyKey: 'to-delete' });
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ jobId: first.body.jobId, status: 'CANCELLED', duplicate: true, deleted: true });
    });
  });
});
