import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startSystem, waitFor, type RunningSystem } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { getJson, postJson } from './http';

/*
 * Cancel in each state and the retry policy, with real processes, asserting on each job's stream.
 * The executor does not serve `noop`, so a noop job stays QUEUED as long as the test needs.
 */
jest.setTimeout(300_000);

const TENANT = 'acme';
// Nothing listens on port 1: every request to it fails at once with the handler's HttpRequestError.
const UNREACHABLE = 'http://127.0.0.1:1/';

describe('cancel and retry (real processes)', () => {
  let system: RunningSystem;
  let store: EventStore;
  let nc: NatsConnection;
  const api = (path: string) => `${system.gatewayUrl}/${TENANT}/api${path}`;

  const submit = async (body: Record<string, unknown>) => {
    const res = await postJson(api('/jobs'), body);
    expect(res.status).toBe(202);
    return res.body.jobId as string;
  };
  const eventsOf = async (jobId: string) => (await store.read(`${TENANT}.job.${jobId}`)).map(({ event }) => event);
  const typesOf = async (jobId: string) => (await eventsOf(jobId)).map((e) => e.type);
  const statusOf = async (jobId: string) => (await getJson(api(`/jobs/${jobId}`))).body.status as string;
  const until = (jobId: string, status: string, timeoutMs = 20_000) => waitFor(async () => (await statusOf(jobId)) === status, timeoutMs, 100);
  const cancel = async (jobId: string) => expect((await postJson(api(`/jobs/${jobId}/~cancel`), {})).status).toBeLessThan(300);

  beforeAll(async () => {
    system = await startSystem({ services: [], env: {} });
    for (const service of ['projector', 'lock-manager', 'scheduler', 'gateway'] as const) await system.spawn(service);
    await system.spawn('executor', { EXECUTOR_TYPES: 'delay,http,echo' });
    await waitFor(async () => (await fetch(`${system.gatewayUrl}/health`).catch(() => null))?.ok === true, 150_000, 250);
    nc = await connect({ servers: system.nats.url });
    store = await createEventStore(loadEventStoreConfig({ NATS_URL: system.nats.url }), { nats: nc });
  });

  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await system?.stop();
  });

  it('QUEUED: cancelled at once; the job never starts', async () => {
    const jobId = await submit({ type: 'noop' });
    await until(jobId, 'QUEUED');
    await cancel(jobId);
    await until(jobId, 'CANCELLED');
    expect(await typesOf(jobId)).toEqual(['job.submitted', 'job.cancel-requested', 'job.cancelled']);
  });

  it('RUNNING: the handler is aborted through ctx.signal and the executor records cancelled', async () => {
    const jobId = await submit({ type: 'delay', payload: { delay: 'PT60S' } });
    await until(jobId, 'RUNNING');
    await cancel(jobId);
    await until(jobId, 'CANCELLED');
    const events = await eventsOf(jobId);
    expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.step-completed', 'job.cancel-requested', 'job.cancelled']);
    expect(events[4].data).toMatchObject({ abandoned: false });
    expect(events[4].actor).toMatch(/^executor:/);
  });

  it('WAITING_FOR_LOCK: the cancelled waiter leaves the queue and the next waiter gets the lock', async () => {
    const locks = [{ resource: 'asset:cancel', mode: 'EXCLUSIVE' }];
    const holder = await submit({ type: 'delay', payload: { delay: 'PT2S' }, locks });
    await until(holder, 'RUNNING');
    const waiter = await submit({ type: 'delay', payload: { delay: 'PT0S' }, locks });
    const next = await submit({ type: 'delay', payload: { delay: 'PT0S' }, locks });
    await until(waiter, 'WAITING_FOR_LOCK');
    await until(next, 'WAITING_FOR_LOCK');
    await cancel(waiter);
    await until(waiter, 'CANCELLED');
    await until(next, 'COMPLETED');

    expect(await typesOf(waiter)).toEqual(['job.submitted', 'job.waiting-for-lock', 'job.cancel-requested', 'job.cancelled']);
    const nextTypes = await typesOf(next);
    expect(nextTypes.slice(0, 4)).toEqual(['job.submitted', 'job.waiting-for-lock', 'job.lock-granted', 'job.started']);
    expect(await statusOf(holder)).toBe('COMPLETED');
  });

  it('retry policy: exponential backoff, every attempt in the history, then FAILED; manual ~retry starts a new attempt', async () => {
    const retry = { maxAttempts: 3, backoff: { kind: 'exponential', initialMs: 300, maxMs: 5_000 }, jitter: false };
    const jobId = await submit({ type: 'http', payload: { url: UNREACHABLE }, retry });
    await until(jobId, 'FAILED', 30_000);
    const events = await eventsOf(jobId);
    expect(events.map((e) => e.type)).toEqual([
      'job.submitted',
      'job.started', 'job.failed', 'job.retried',
      'job.started', 'job.failed', 'job.retried',
      'job.started', 'job.failed',
    ]);
    expect(events.filter((e) => e.type === 'job.started').map((e) => (e.data as { attempt: number }).attempt)).toEqual([1, 2, 3]);
    // Backoff doubles: each retry's notBefore is initialMs·2^(n-1) after the failure it follows.
    const delays = events.flatMap((e, i) =>
      e.type === 'job.retried' ? [Date.parse((e.data as { notBefore: string }).notBefore) - Date.parse(events[i - 1].occurredAt)] : [],
    );
    expect(delays).toEqual([300, 600]);
    // Each attempt started no earlier than its notBefore.
    const retried = events.filter((e) => e.type === 'job.retried');
    const restarted = events.filter((e) => e.type === 'job.started').slice(1);
    restarted.forEach((s, i) => expect(Date.parse(s.occurredAt)).toBeGreaterThanOrEqual(Date.parse((retried[i].data as { notBefore: string }).notBefore)));

    expect((await postJson(api(`/jobs/${jobId}/~retry`), {})).status).toBeLessThan(300);
    await waitFor(async () => (await typesOf(jobId)).filter((t) => t === 'job.failed').length === 4, 20_000, 100);
    const after = await eventsOf(jobId);
    expect(after[9]).toMatchObject({ type: 'job.retried', data: { reason: 'manual' } });
    expect(after.slice(10).map((e) => e.type)).toEqual(['job.started', 'job.failed']);
  });

  it('a non-retryable error class is not retried; a CANCELLED job can be retried by hand', async () => {
    const retry = { maxAttempts: 5, backoff: { kind: 'fixed', initialMs: 100, maxMs: 100 }, nonRetryableErrors: ['HttpRequestError'] };
    const failing = await submit({ type: 'http', payload: { url: UNREACHABLE }, retry });
    await until(failing, 'FAILED');
    const failed = await eventsOf(failing);
    expect(failed.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.failed']);
    expect(failed[2].data).toMatchObject({ error: { name: 'HttpRequestError' } });

    const cancelled = await submit({ type: 'noop' });
    await cancel(cancelled);
    await until(cancelled, 'CANCELLED');
    expect((await postJson(api(`/jobs/${cancelled}/~retry`), {})).status).toBeLessThan(300);
    await until(cancelled, 'QUEUED');
    expect((await typesOf(cancelled)).slice(-1)).toEqual(['job.retried']);
  });
});
