import { timerStreamId, type DomainEvent } from '@jobstream/domain';
import { JetStreamEventStore } from '@jobstream/event-store';
import { startNatsServer, waitFor, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { FakeClock } from './fake-clock.test-helper';
import { TimerEngine } from './timer-engine';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const DAY = 86_400_000;

describe('TimerEngine (real nats-server, fake clock)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const engines: TimerEngine[] = [];
  let tenant = 0;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    store = await JetStreamEventStore.start(nc);
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.stop()));
  });
  afterAll(async () => {
    await store.close();
    await nc.close();
    await server.stop();
  });

  /** Each test in its own tenant, so the shared snapshot bucket never mixes their timers up. */
  const nextTenant = () => `t${++tenant}`;

  async function engine(clock: FakeClock, options: { checkpointKey?: string; misfireThresholdMs?: number } = {}) {
    const created = new TimerEngine(store, nc, { clock, checkpointKey: options.checkpointKey ?? 'timers', misfireThresholdMs: options.misfireThresholdMs ?? 1_000 });
    engines.push(created);
    await created.start();
    return created;
  }

  const eventsOf = async (t: string, id: string): Promise<DomainEvent[]> => (await store.read(timerStreamId(t, id))).map((r) => r.event);
  const typesOf = async (t: string, id: string) => (await eventsOf(t, id)).map((e) => e.type);

  it('fires each timer once, at its time, not before', async () => {
    const t = nextTenant();
    const clock = new FakeClock(T0);
    const timers = await engine(clock);
    for (const [id, offset] of [['a', 1000], ['b', 2000], ['c', 3000]] as const) {
      expect(await timers.schedule(t, { timerId: id, dueAt: new Date(T0 + offset).toISOString(), target: { kind: 'test' } })).toBe(true);
    }
    expect(await timers.schedule(t, { timerId: 'a', dueAt: new Date(T0 + 5000).toISOString(), target: { kind: 'test' } })).toBe(false);
    clock.advance(1500);
    await waitFor(async () => (await typesOf(t, 'a')).includes('timer.fired'), 5_000);
    expect(await typesOf(t, 'b')).toEqual(['timer.scheduled']);
    clock.advance(5000);
    await waitFor(async () => (await typesOf(t, 'c')).includes('timer.fired'), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const id of ['a', 'b', 'c']) expect(await typesOf(t, id)).toEqual(['timer.scheduled', 'timer.fired']);
    expect((await eventsOf(t, 'a'))[1].data).toMatchObject({ late: false, firedAt: new Date(T0 + 1000).toISOString() });
  });

  it('survives a restart: a new engine rebuilds the pending set and fires exactly once', async () => {
    const t = nextTenant();
    const clock = new FakeClock(T0);
    const first = await engine(clock, { checkpointKey: 'restart' });
    await first.schedule(t, { timerId: 'early', dueAt: new Date(T0 + 1000).toISOString(), target: { kind: 'test' } });
    await first.schedule(t, { timerId: 'later', dueAt: new Date(T0 + 60_000).toISOString(), target: { kind: 'test' } });
    clock.advance(1000);
    await waitFor(async () => (await typesOf(t, 'early')).includes('timer.fired'), 5_000);
    await waitFor(() => [...first.pendingTimers()].every((timer) => timer.timerId !== 'early'), 5_000);
    await first.stop();
    engines.splice(engines.indexOf(first), 1);

    const second = await engine(clock, { checkpointKey: 'restart' });
    await waitFor(() => [...second.pendingTimers()].some((timer) => timer.timerId === 'later'), 5_000);
    clock.advance(60_000);
    await waitFor(async () => (await typesOf(t, 'later')).includes('timer.fired'), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await typesOf(t, 'early')).toEqual(['timer.scheduled', 'timer.fired']);
    expect(await typesOf(t, 'later')).toEqual(['timer.scheduled', 'timer.fired']);
  });

  it('two engines racing for the same timers fire each exactly once', async () => {
    const t = nextTenant();
    const clock = new FakeClock(T0);
    const a = await engine(clock, { checkpointKey: 'race-a' });
    const b = await engine(clock, { checkpointKey: 'race-b' });
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    for (const id of ids) await a.schedule(t, { timerId: id, dueAt: new Date(T0 + 1000).toISOString(), target: { kind: 'test' } });
    await waitFor(() => ids.every((id) => [...b.pendingTimers()].some((timer) => timer.timerId === id)), 5_000);
    clock.advance(1000);
    await waitFor(async () => (await Promise.all(ids.map((id) => typesOf(t, id)))).every((types) => types.includes('timer.fired')), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const id of ids) expect(await typesOf(t, id)).toEqual(['timer.scheduled', 'timer.fired']);
  });

  it('misfire policy: an overdue FIRE_ONCE timer fires late once, an overdue SKIP timer is skipped', async () => {
    const t = nextTenant();
    const clock = new FakeClock(T0);
    const first = await engine(clock, { checkpointKey: 'misfire' });
    await first.schedule(t, { timerId: 'once', dueAt: new Date(T0 + 1000).toISOString(), target: { kind: 'test' } });
    await first.schedule(t, { timerId: 'skip', dueAt: new Date(T0 + 1000).toISOString(), target: { kind: 'test' }, misfirePolicy: 'SKIP' });
    await first.stop();
    engines.splice(engines.indexOf(first), 1);
    // The scheduler is down for a day.
    clock.advance(DAY);
    await engine(clock, { checkpointKey: 'misfire' });
    clock.advance(1);
    await waitFor(async () => (await typesOf(t, 'skip')).length === 2 && (await typesOf(t, 'once')).length === 2, 5_000);
    expect((await eventsOf(t, 'once'))[1]).toMatchObject({ type: 'timer.fired', data: { late: true } });
    expect((await eventsOf(t, 'skip'))[1]).toMatchObject({ type: 'timer.skipped' });
  });

  it('has no horizon: a timer 60 days ahead re-arms within setTimeout limits and fires on its day', async () => {
    const t = nextTenant();
    const clock = new FakeClock(T0);
    const timers = await engine(clock, { checkpointKey: 'horizon' });
    await timers.schedule(t, { timerId: 'far', dueAt: new Date(T0 + 60 * DAY).toISOString(), target: { kind: 'test' } });
    expect(Math.max(...clock.armedDelays())).toBeLessThanOrEqual(2 ** 31 - 1);
    clock.advance(59 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await typesOf(t, 'far')).toEqual(['timer.scheduled']);
    clock.advance(DAY);
    await waitFor(async () => (await typesOf(t, 'far')).includes('timer.fired'), 5_000);
  });

  it('a cancelled timer never fires', async () => {
    const t = nextTenant();
    const clock = new FakeClock(T0);
    const timers = await engine(clock, { checkpointKey: 'cancel' });
    await timers.schedule(t, { timerId: 'x', dueAt: new Date(T0 + 1000).toISOString(), target: { kind: 'test' } });
    expect(await timers.cancel(t, 'x')).toBe(true);
    expect(await timers.cancel(t, 'x')).toBe(false);
    clock.advance(2000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await typesOf(t, 'x')).toEqual(['timer.scheduled', 'timer.cancelled']);
  });
});
