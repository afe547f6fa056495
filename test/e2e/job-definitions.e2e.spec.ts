import { foldJobDefinition, type JobDefinitionEvent } from '@jobstream/domain';
import type { EventStore } from '@jobstream/event-store';
import { waitFor, type RunningSystem } from '@jobstream/testing';
import { getJson, postJson } from './http';
import { startSystemWithStore } from './system-with-store';

jest.setTimeout(120_000);

/** Job definitions through real processes: gateway, scheduler (definitions.start + reactor), executor, projector. */
describe('job definitions end to end (real processes, real nats-server)', () => {
  let system: RunningSystem;
  let stopSystem: () => Promise<void>;
  let store: EventStore;
  let base: string;

  beforeAll(async () => {
    ({ system, store, stop: stopSystem } = await startSystemWithStore());
    base = `${system.gatewayUrl}/acme/api/job-definitions`;
  });

  afterAll(async () => {
    await stopSystem?.();
  });

  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await postJson(base, { name: 'nightly', description: 'demo', type: 'noop', configuration: {}, enabled: true, ...extra });
    expect(res.status).toBe(201);
    return res.body.definitionId as string;
  };
  const get = async (id: string) => (await getJson(`${base}/${id}`)).body;
  const settled = async (id: string) => {
    await waitFor(async () => (await get(id)).status === 'Ready', 30_000, 50);
    return get(id);
  };
  /** The status after each event of the definition's stream, as the domain folds it. */
  const statusesOf = async (id: string) => {
    const events = (await store.read(`acme.job-definition.${id}`)).map((r) => r.event as JobDefinitionEvent);
    return events.map((_, i) => foldJobDefinition(events.slice(0, i + 1)).status);
  };

  it('creates a definition (Disabled unless enabled) and reads it back at once', async () => {
    const res = await postJson(base, {
      name: 'email_sending',
      type: 'echo',
      configuration: { to: 'ops' },
      schedule: { kind: 'cron', expression: '*/5 * * * *' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/acme/api/job-definitions/${res.body.definitionId}`);
    expect(res.body).toMatchObject({
      name: 'email_sending',
      description: '',
      type: 'echo',
      configuration: { to: 'ops' },
      schedule: { kind: 'cron', expression: '*/5 * * * *', timeZone: 'UTC' },
      enabled: false,
      status: 'Disabled',
      lastRunResult: null,
      lastRunTime: null,
      nextRunTime: null,
      activeOnHost: null,
      currentJobId: null,
    });
    expect((await getJson(`${base}/${res.body.definitionId}`)).body).toMatchObject({ status: 'Disabled', name: 'email_sending' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing type', { name: 'x' }, 'type'],
    ['a blank name', { name: '', type: 'noop' }, 'name'],
    ['a non-object configuration', { name: 'x', type: 'noop', configuration: 'a' }, 'configuration'],
    ['an unknown schedule kind', { name: 'x', type: 'noop', schedule: { kind: 'weekly' } }, 'schedule.kind'],
    ['a zero interval', { name: 'x', type: 'noop', schedule: { kind: 'interval', everyMs: 0 } }, 'schedule.everyMs'],
    ['a bad cron expression', { name: 'x', type: 'noop', schedule: { kind: 'cron', expression: '61 * * * *' } }, 'schedule.expression'],
    ['an unknown time zone', { name: 'x', type: 'noop', schedule: { kind: 'cron', expression: '0 * * * *', timeZone: 'Mars/Olympus' } }, 'schedule'],
    ['an unknown field', { name: 'x', type: 'noop', owner: 'me' }, 'owner'],
  ])('rejects %s with 400 naming the field', async (_, body, field) => {
    const res = await postJson(base, body);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
  });

  it('answers 404 for an unknown definition on every route', async () => {
    expect((await getJson(`${base}/nope`)).status).toBe(404);
    expect((await send('PUT', '/nope', { name: 'x', type: 'noop' })).status).toBe(404);
    expect((await send('DELETE', '/nope')).status).toBe(404);
    for (const action of ['~start', '~stop', '~enable', '~disable']) expect((await send('POST', `/nope/${action}`)).status).toBe(404);
  });

  it('runs on ~start: Ready → Queued → Running → Ready, COMPLETED, on a recorded host, with the configuration as payload', async () => {
    const id = await create({ configuration: { delay: 'PT1S' }, type: 'delay' });
    const start = await send('POST', `/${id}/~start`);
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ definitionId: id, status: 'Queued' });
    const jobId = start.body.jobId as string;

    await waitFor(async () => (await get(id)).status === 'Running', 30_000, 20);
    const running = await get(id);
    expect(running).toMatchObject({ currentJobId: jobId, activeOnHost: expect.any(String), lastRunTime: expect.any(String) });

    const done = await settled(id);
    expect(done).toMatchObject({ lastRunResult: 'COMPLETED', currentJobId: null, lastRunTime: running.lastRunTime });
    expect(await statusesOf(id)).toEqual(['Ready', 'Queued', 'Running', 'Ready']);
    const job = (await getJson(`${system.gatewayUrl}/acme/api/jobs/${jobId}`)).body;
    expect(job).toMatchObject({ status: 'COMPLETED', type: 'delay' });
    const submitted = (await store.read(`acme.job.${jobId}`))[0].event;
    expect(submitted.data).toMatchObject({ type: 'delay', payload: { delay: 'PT1S' }, definitionId: id });

    // The projector's read model catches up with the same columns.
    await waitFor(async () => {
      const list = await getJson(base);
      const row = (list.body.items as { definitionId: string; lastRunResult: string }[]).find((d) => d.definitionId === id);
      return row?.lastRunResult === 'COMPLETED';
    }, 30_000);
  });

  it('keeps an edit made while running as RecyclePending, refuses ~start and DELETE (409), then applies the edit', async () => {
    const id = await create({ type: 'delay', configuration: { delay: 'PT3S' } });
    expect((await send('POST', `/${id}/~start`)).status).toBe(202);
    await waitFor(async () => (await get(id)).status === 'Running', 30_000, 20);

    expect((await send('POST', `/${id}/~start`)).status).toBe(409);
    expect((await send('DELETE', `/${id}`)).status).toBe(409);
    const edit = await send('PUT', `/${id}`, { name: 'nightly', description: 'v2', type: 'delay', configuration: { delay: 'Now' } });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ status: 'RecyclePending', description: 'demo', pendingChange: { description: 'v2' }, enabled: true });

    const done = await settled(id);
    expect(done).toMatchObject({ description: 'v2', configuration: { delay: 'Now' }, pendingChange: null, lastRunResult: 'COMPLETED' });
    expect((await statusesOf(id)).slice(-3)).toEqual(['Running', 'RecyclePending', 'Ready']);
  });

  it('stops a run by cancelling its job: the last run result is CANCELLED', async () => {
    const id = await create({ type: 'delay', configuration: { delay: 'PT60S' } });
    const { jobId } = (await send('POST', `/${id}/~start`)).body;
    await waitFor(async () => (await get(id)).status === 'Running', 30_000, 20);
    const stop = await send('POST', `/${id}/~stop`);
    expect(stop.status).toBe(202);
    expect(stop.body).toMatchObject({ stopRequested: true, currentJobId: jobId });
    expect((await send('POST', `/${id}/~stop`)).status).toBe(409);
    expect(await settled(id)).toMatchObject({ lastRunResult: 'CANCELLED', stopRequested: false });
    expect((await getJson(`${system.gatewayUrl}/acme/api/jobs/${jobId}`)).body.status).toBe('CANCELLED');
  });

  it('blocks ~start while Disabled (409) and runs again once enabled', async () => {
    const id = await create();
    const disabled = await send('POST', `/${id}/~disable`);
    expect(disabled).toMatchObject({ status: 200, body: { status: 'Disabled', enabled: false } });
    expect((await send('POST', `/${id}/~disable`)).status).toBe(409);
    expect((await send('POST', `/${id}/~start`)).status).toBe(409);
    expect((await send('POST', `/${id}/~enable`)).body).toMatchObject({ status: 'Ready', enabled: true });
    expect((await send('POST', `/${id}/~start`)).status).toBe(202);
    expect(await settled(id)).toMatchObject({ lastRunResult: 'COMPLETED' });
  });

  it('keeps enabled on a PUT that omits it, and replaces everything else', async () => {
    const id = await create({ schedule: { kind: 'interval', everyMs: 60_000 } });
    const res = await send('PUT', `/${id}`, { name: 'renamed', type: 'echo' });
    expect(res.body).toMatchObject({ name: 'renamed', description: '', type: 'echo', configuration: {}, schedule: null, enabled: true, status: 'Ready' });
    expect((await send('PUT', `/${id}`, { name: 'renamed', type: 'Bad Type' })).body.field).toBe('type');
  });

  it('deletes an idle definition (204): it then answers 404 and leaves the list', async () => {
    const id = await create();
    await waitFor(async () => ((await getJson(base)).body.items as { definitionId: string }[]).some((d) => d.definitionId === id), 30_000);
    expect((await send('DELETE', `/${id}`)).status).toBe(204);
    expect((await getJson(`${base}/${id}`)).status).toBe(404);
    expect((await send('DELETE', `/${id}`)).status).toBe(404);
    await waitFor(async () => !((await getJson(base)).body.items as { definitionId: string }[]).some((d) => d.definitionId === id), 30_000);
  });

  it('answers 503 for the list while the projector is down, and 503 for ~start while the scheduler is down', async () => {
    const id = await create();
    for (const name of ['projector', 'scheduler']) {
      const proc = system.processes.find((p) => p.name === name);
      if (proc) await system.stopProcess(proc);
    }
    expect((await getJson(base)).status).toBe(503);
    expect((await send('POST', `/${id}/~start`)).status).toBe(503);
    expect((await get(id)).status).toBe('Ready');
  });
});
