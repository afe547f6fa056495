import { decideJobDefinition, streamIdOf, timerStreamId, type EventContext, type JobDefinitionCommand, type JobDefinitionSchedule } from '@jobstream/domain';
import { handleCommand, JetStreamEventStore } from '@jobstream/event-store';
import { startNatsServer, waitFor, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { DefinitionRunsService } from '../definitions/definition-runs.service';
import { FakeClock } from '../timers/fake-clock.test-helper';
import { TimerEngine } from '../timers/timer-engine';
import { DefinitionScheduleReactor } from './definition-schedule-reactor';
import { SCHEDULE_VIEW, scheduleTimerId } from './schedule-view';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

jest.setTimeout(30_000);

/** The reactor and the timer engine against a real nats-server; only the fake clock moves time. */
describe('job definition schedules (real nats-server, fake clock)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  let clock: FakeClock;
  let engine: TimerEngine | undefined;
  let reactor: DefinitionScheduleReactor | undefined;
  const tenant = 'acme';

  beforeEach(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    store = await JetStreamEventStore.start(nc);
    clock = new FakeClock(T0);
    await startScheduler();
  });
  afterEach(async () => {
    await stopScheduler();
    await store.close();
    await nc.close();
    await server.stop();
  });

  async function startScheduler(checkpointKey?: string) {
    engine = new TimerEngine(store, nc, { clock, misfireThresholdMs: MINUTE });
    await engine.start();
    reactor = new DefinitionScheduleReactor(store, nc, new DefinitionRunsService(store), { clock, checkpointKey });
    await reactor.start();
  }
  async function stopScheduler() {
    await reactor?.stop();
    await engine?.stop();
    reactor = engine = undefined;
  }

  const ctx = (): EventContext => ({
    tenant,
    now: new Date(clock.now()),
    newId: () => Math.random().toString(36).slice(2),
    actor: 'user:test',
    correlationId: 'test',
    causationId: null,
  });
  const command = (id: string, cmd: JobDefinitionCommand) =>
    handleCommand(store, streamIdOf(tenant, 'job-definition', id), SCHEDULE_VIEW, (view) => decideJobDefinition(cmd, view.definition, ctx()));
  const input = (schedule: JobDefinitionSchedule | null) => ({ name: 'n', description: '', jobType: 'noop', configuration: {}, schedule, enabled: true });
  const create = (id: string, schedule: JobDefinitionSchedule | null) => command(id, { type: 'create', definitionId: id, ...input(schedule) });

  const events = async (id: string) => (await store.read(streamIdOf(tenant, 'job-definition', id))).map((r) => r.event);
  const definition = async (id: string) => (await events(id)).reduce(SCHEDULE_VIEW.evolve, SCHEDULE_VIEW.initial).definition;
  const runs = async (id: string) => (await events(id)).filter((e) => e.type === 'job-definition.run-requested').map((e) => e.data as { jobId: string; trigger: string });
  const timerEvents = async (timerId: string) => (await store.read(timerStreamId(tenant, timerId))).map((r) => r.event.type);

  /** The next run is recorded and the engine holds exactly that timer: advancing the clock may fire it. */
  async function planned(id: string, at: number | null) {
    await waitFor(async () => (await definition(id)).nextRunTime === (at === null ? null : iso(at)), 10_000);
    const pending = () => [...(engine?.pendingTimers() ?? [])].filter((t) => (t.target as { definitionId?: string }).definitionId === id);
    await waitFor(() => (at === null ? pending().length === 0 : pending().length === 1 && pending()[0].dueAt === at), 10_000);
  }

  it('runs an interval schedule, moves nextRunTime on with each fire, and skips a fire while a run is in flight', async () => {
    await create('every-minute', { kind: 'interval', everyMs: MINUTE });
    await planned('every-minute', T0 + MINUTE);

    clock.advance(MINUTE);
    await planned('every-minute', T0 + 2 * MINUTE);
    const [first] = await runs('every-minute');
    expect(first.trigger).toBe('schedule');
    expect((await store.read(streamIdOf(tenant, 'job', first.jobId)))[0].event).toMatchObject({ type: 'job.submitted', data: { definitionId: 'every-minute', type: 'noop' } });
    expect((await definition('every-minute')).status).toBe('Queued');

    // Overlap policy skip: the run is still queued, the fire starts nothing, the plan moves on.
    clock.advance(MINUTE);
    await planned('every-minute', T0 + 3 * MINUTE);
    expect(await runs('every-minute')).toHaveLength(1);

    await command('every-minute', { type: 'recordRunFinished', jobId: first.jobId, result: 'COMPLETED' });
    clock.advance(MINUTE);
    await planned('every-minute', T0 + 4 * MINUTE);
    expect(await runs('every-minute')).toHaveLength(2);
    expect(await definition('every-minute')).toMatchObject({ lastRunResult: 'COMPLETED', status: 'Queued' });
  });

  it('disable cancels the pending fire and clears nextRunTime; enable plans again from the enable', async () => {
    await create('d', { kind: 'interval', everyMs: MINUTE });
    await planned('d', T0 + MINUTE);
    await command('d', { type: 'disable' });
    await planned('d', null);
    await waitFor(async () => (await timerEvents(scheduleTimerId('d', 0, iso(T0 + MINUTE)))).includes('timer.cancelled'), 10_000);
    clock.advance(2 * MINUTE);
    expect(await runs('d')).toHaveLength(0);

    await command('d', { type: 'enable' });
    await planned('d', T0 + 3 * MINUTE);
    clock.advance(MINUTE);
    await planned('d', T0 + 4 * MINUTE);
    expect(await runs('d')).toHaveLength(1);
  });

  it('a suspended or schedule-less definition has no next run; a deleted one leaves no timer', async () => {
    await create('s', { kind: 'interval', everyMs: MINUTE });
    await planned('s', T0 + MINUTE);
    await command('s', { type: 'suspend', reason: 'redundant host' });
    await planned('s', null);
    await command('s', { type: 'enable' });
    await planned('s', T0 + MINUTE);
    await command('s', { type: 'update', ...input(null) });
    await planned('s', null);
    await command('s', { type: 'update', ...input({ kind: 'interval', everyMs: MINUTE }) });
    await planned('s', T0 + MINUTE);
    await command('s', { type: 'delete' });
    await waitFor(() => ![...(engine?.pendingTimers() ?? [])].some((t) => (t.target as { definitionId?: string }).definitionId === 's'), 10_000);
    expect((await definition('s')).nextRunTime).toBeNull();
  });

  it('an updated schedule replaces the pending timer: cron in its time zone, then once', async () => {
    await create('u', { kind: 'interval', everyMs: MINUTE });
    await planned('u', T0 + MINUTE);
    // 10:00Z is 11:00 in Paris: the next 12:00 there is 11:00Z.
    await command('u', { type: 'update', ...input({ kind: 'cron', expression: '0 12 * * *', timeZone: 'Europe/Paris' }) });
    await planned('u', Date.parse('2025-03-01T11:00:00Z'));
    expect(await timerEvents(scheduleTimerId('u', 0, iso(T0 + MINUTE)))).toEqual(['timer.scheduled', 'timer.cancelled']);
    clock.advance(MINUTE);
    expect(await runs('u')).toHaveLength(0);

    clock.advance(59 * MINUTE);
    await planned('u', Date.parse('2025-03-02T11:00:00Z'));
    expect(await runs('u')).toHaveLength(1);

    const id = (await runs('u'))[0].jobId;
    await command('u', { type: 'recordRunFinished', jobId: id, result: 'FAILED' });
    await command('u', { type: 'update', ...input({ kind: 'once', at: iso(clock.now() + 5 * MINUTE) }) });
    await planned('u', clock.now() + 5 * MINUTE);
    clock.advance(5 * MINUTE);
    await planned('u', null);
    expect(await runs('u')).toHaveLength(2);
  });

  it('after a restart fires a missed run once, late; replaying the whole log starts and schedules nothing twice', async () => {
    await create('r', { kind: 'interval', everyMs: MINUTE });
    await planned('r', T0 + MINUTE);
    await stopScheduler();
    clock.advance(10 * MINUTE + 30_000);
    await startScheduler();
    clock.advance(0);
    // Missed periods collapse into the one late fire; the next run is the next period after it.
    await planned('r', T0 + 11 * MINUTE);
    expect(await runs('r')).toHaveLength(1);
    const fired = (await store.read(timerStreamId(tenant, scheduleTimerId('r', 0, iso(T0 + MINUTE))))).map((r) => r.event);
    expect(fired[1]).toMatchObject({ type: 'timer.fired', data: { late: true } });

    // A reactor that lost its checkpoint reads everything again.
    const before = (await events('r')).map((e) => e.type);
    await reactor?.stop();
    reactor = new DefinitionScheduleReactor(store, nc, new DefinitionRunsService(store), { clock, checkpointKey: 'replay' });
    await reactor.start();
    // The log is read in order: once a later definition is planned, everything before it was replayed.
    await create('sentinel', { kind: 'interval', everyMs: MINUTE });
    await planned('sentinel', clock.now() + MINUTE);
    expect((await events('r')).map((e) => e.type)).toEqual(before);
    expect(await timerEvents(scheduleTimerId('r', 0, iso(T0 + 11 * MINUTE)))).toEqual(['timer.scheduled']);
  });
});
