import { startSystem, RunningSystem, waitFor } from '@jobstream/testing';
import { connect, NatsConnection, StringCodec } from 'nats';
import { getJson, mapLimit, postJson } from './http';

jest.setTimeout(120_000);

describe('async jobs end to end (real processes, real nats-server)', () => {
  let system: RunningSystem;
  let nc: NatsConnection;

  beforeAll(async () => {
    system = await startSystem();
    await system.spawn('executor', { EXECUTOR_ID: 'executor-b' }, 'executor-b');
    nc = await connect({ servers: system.nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  it('runs 1,000 concurrently submitted jobs on two executors, each exactly once', async () => {
    const count = 1000;
    const sc = StringCodec();
    const runs = new Map<string, number>();
    const sub = nc.subscribe('e2e.ran', {
      callback: (_e, msg) => {
        const key = sc.decode(msg.data);
        runs.set(key, (runs.get(key) ?? 0) + 1);
      },
    });
    await nc.flush();

    const submitted = await mapLimit([...Array(count).keys()], 100, async (i) => {
      const res = await postJson(`${system.gatewayUrl}/acme/api/jobs`, {
        type: 'publish',
        payload: { subject: 'e2e.ran', data: `job-${i}` },
      });
      expect(res.status).toBe(202);
      return res.body.jobId as string;
    });
    expect(new Set(submitted).size).toBe(count);

    await waitFor(async () => runs.size === count, 90_000, 200);
    sub.unsubscribe();

    const histories = await mapLimit(submitted, 50, async (jobId) => {
      const job = await getJson(`${system.gatewayUrl}/acme/api/jobs/${jobId}`);
      expect(job.body.status).toBe('COMPLETED');
      const history = await getJson(`${system.gatewayUrl}/acme/api/jobs/${jobId}/history`);
      return history.body.events as { type: string; data: { executorId?: string } }[];
    });
    for (const events of histories) {
      expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
    }
    expect([...runs.values()].every((n) => n === 1)).toBe(true);

    const byExecutor = new Map<string, number>();
    for (const events of histories) {
      const executor = events[1].data.executorId as string;
      byExecutor.set(executor, (byExecutor.get(executor) ?? 0) + 1);
    }
    expect([...byExecutor.values()].reduce((a, b) => a + b, 0)).toBe(count);
  });
});
