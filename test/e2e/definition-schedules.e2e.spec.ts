import type { EventStore } from '@jobstream/event-store';
import { waitFor, type RunningSystem } from '@jobstream/testing';
import { getJson, postJson } from './http';
import { startSystemWithStore } from './system-with-store';

jest.setTimeout(120_000);

/** A scheduled job definition through real processes: gateway, scheduler (timers + schedules), executor, projector. */
describe('job definition schedules end to end (real processes, real nats-server)', () => {
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

  const get = async (id: string) => (await getJson(`${base}/${id}`)).body;
  const scheduledRuns = async (id: string) =>
    (await store.read(`acme.job-definition.${id}`)).filter((r) => r.event.type === 'job-definition.run-requested' && (r.event.data as { trigger: string }).trigger === 'schedule');

  it('runs a noop definition every ~2 s: runs recorded, COMPLETED, nextRunTime ahead, in the read model too; disable stops it', async () => {
    const res = await postJson(base, { name: 'heartbeat', type: 'noop', configuration: {}, enabled: true, schedule: { kind: 'interval', everyMs: 2_000 } });
    expect(res.status).toBe(201);
    const id = res.body.definitionId as string;

    await waitFor(async () => (await scheduledRuns(id)).length >= 2 && (await get(id)).lastRunResult === 'COMPLETED', 60_000, 200);
    await waitFor(async () => {
      const { nextRunTime } = await get(id);
      return nextRunTime !== null && Date.parse(nextRunTime) > Date.now();
    }, 30_000, 100);
    const finished = (await store.read(`acme.job-definition.${id}`)).filter((r) => r.event.type === 'job-definition.run-finished');
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.every((r) => (r.event.data as { result: string }).result === 'COMPLETED')).toBe(true);

    // The projector's list shows the planned next run as well.
    await waitFor(async () => {
      const row = ((await getJson(base)).body.items as { definitionId: string; nextRunTime: string | null }[]).find((d) => d.definitionId === id);
      return typeof row?.nextRunTime === 'string';
    }, 30_000);

    const disabled = await fetch(`${base}/${id}/~disable`, { method: 'POST' });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ enabled: false, nextRunTime: null });
  });
});
