import { lockTableStreamId } from '@jobstream/domain';
import type { EventStore } from '@jobstream/event-store';
import { RunningSystem, waitFor } from '@jobstream/testing';
import { getJson, postJson } from './http';
import { startSystemWithStore } from './system-with-store';

jest.setTimeout(120_000);

interface HistoryEvent {
  type: string;
  occurredAt: string;
}

describe('locks end to end (real processes, real nats-server)', () => {
  let system: RunningSystem;
  let stopSystem: () => Promise<void>;
  let store: EventStore;
  const api = (path: string) => `${system.gatewayUrl}/acme/api${path}`;

  const submitDelay = async (resource: string, mode: 'SHARED' | 'EXCLUSIVE', delay = 'PT1S') => {
    const res = await postJson(api('/jobs'), { type: 'delay', payload: { delay }, locks: [{ resource, mode }] });
    expect(res.status).toBe(202);
    return res.body.jobId as string;
  };
  const statusOf = async (jobId: string) => (await getJson(api(`/jobs/${jobId}`))).body.status as string;
  const historyOf = async (jobId: string) => (await getJson(api(`/jobs/${jobId}/history`))).body.events as HistoryEvent[];
  const timeOf = (events: HistoryEvent[], type: string) => Date.parse(events.find((e) => e.type === type)!.occurredAt);
  const locks = async () =>
    (await getJson(api('/locks'))).body.resources as { resource: string; holders: { jobId: string }[]; waiters: { jobId: string }[] }[];

  beforeAll(async () => {
    ({ system, store, stop: stopSystem } = await startSystemWithStore());
  });

  afterAll(async () => {
    await stopSystem?.();
  });

  it('runs two jobs on one EXCLUSIVE resource one after the other, the second WAITING_FOR_LOCK first', async () => {
    const first = await submitDelay('asset:exclusive', 'EXCLUSIVE');
    const second = await submitDelay('asset:exclusive', 'EXCLUSIVE');

    // While the first runs, the table shows it holding and the second waiting.
    await waitFor(async () => {
      const entry = (await locks()).find((e) => e.resource === 'asset:exclusive');
      return entry?.holders[0]?.jobId === first && entry.waiters[0]?.jobId === second;
    }, 20_000);

    await waitFor(async () => (await statusOf(second)) === 'COMPLETED', 30_000, 200);
    expect(await statusOf(first)).toBe('COMPLETED');
    const [a, b] = [await historyOf(first), await historyOf(second)];
    const types = b.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(['job.submitted', 'job.waiting-for-lock', 'job.lock-granted', 'job.started']);
    expect(timeOf(b, 'job.started')).toBeGreaterThanOrEqual(timeOf(a, 'job.completed'));
    await waitFor(async () => !(await locks()).some((e) => e.resource === 'asset:exclusive'), 10_000);
  });

  it('runs two jobs on one SHARED resource together', async () => {
    const one = await submitDelay('asset:shared', 'SHARED', 'PT2S');
    const two = await submitDelay('asset:shared', 'SHARED', 'PT2S');
    await waitFor(async () => (await statusOf(one)) === 'COMPLETED' && (await statusOf(two)) === 'COMPLETED', 30_000, 200);
    const [a, b] = [await historyOf(one), await historyOf(two)];
    // Overlapping run intervals: each started before the other completed.
    expect(timeOf(a, 'job.started')).toBeLessThan(timeOf(b, 'job.completed'));
    expect(timeOf(b, 'job.started')).toBeLessThan(timeOf(a, 'job.completed'));
  });

  it('force release hands the resource to the next waiter and records who did it', async () => {
    const holder = await submitDelay('asset:force', 'EXCLUSIVE', 'PT3S');
    const waiter = await submitDelay('asset:force', 'EXCLUSIVE');
    await waitFor(async () => (await locks()).find((e) => e.resource === 'asset:force')?.waiters[0]?.jobId === waiter, 20_000);

    const res = await postJson(api('/locks/asset:force/~release'), { reason: 'holder is stuck' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resource: 'asset:force', holders: [{ jobId: waiter, mode: 'EXCLUSIVE' }], waiters: [] });
    await waitFor(async () => (await statusOf(waiter)) === 'COMPLETED', 30_000, 200);

    const table = (await store.read(lockTableStreamId('acme'))).map((r) => r.event);
    expect(table.find((e) => e.type === 'lock.force-released')).toMatchObject({
      actor: 'anonymous',
      data: { resource: 'asset:force', jobIds: [holder], reason: 'holder is stuck' },
    });
    await waitFor(async () => (await statusOf(holder)) === 'COMPLETED', 30_000, 200);
    const again = await postJson(api('/locks/asset:force/~release'), {});
    expect(again.status).toBe(404);
  });

  it('cancelling a job that waits for a lock removes it from the queue', async () => {
    const holder = await submitDelay('asset:cancel', 'EXCLUSIVE', 'PT2S');
    const waiter = await submitDelay('asset:cancel', 'EXCLUSIVE');
    await waitFor(async () => (await locks()).find((e) => e.resource === 'asset:cancel')?.waiters[0]?.jobId === waiter, 20_000);
    const res = await postJson(api(`/jobs/${waiter}/~cancel`), { reason: 'changed my mind' });
    expect(res.body.status).toBe('CANCELLED');
    await waitFor(async () => (await locks()).find((e) => e.resource === 'asset:cancel')?.waiters.length === 0, 10_000);
    await waitFor(async () => (await statusOf(holder)) === 'COMPLETED', 30_000, 200);
    expect((await historyOf(waiter)).map((e) => e.type)).not.toContain('job.lock-granted');
  });
});
