import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { makeEvent, streamIdOf, timerStreamId } from '@jobstream/domain';
import { JetStreamEventStore } from '@jobstream/event-store';
import { startSystem, waitFor, type RunningSystem } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';

jest.setTimeout(180_000);

const SAMPLE_XML = readFileSync(join(__dirname, '../../libs/domain/src/orchestration/xml/__fixtures__/sample-orchestration-task.xml'), 'utf8');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TENANT = 'acme';

interface Answer {
  status: number;
  type: string | null;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

describe('orchestration end to end (real processes, real nats-server)', () => {
  let system: RunningSystem;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const base = () => `${system.gatewayUrl}/${TENANT}/api/sync/orchestration-tasks`;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json', ...headers };
    }
    const res = await fetch(`${base()}${path}`, init);
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, type: res.headers.get('content-type'), text, json };
  }

  /** The job definition a task's taskId names; its configuration drives the simulated task. */
  async function jobDefinition(definitionId: string, configuration: Record<string, unknown>) {
    const ctx = { tenant: TENANT, now: new Date(), newId: randomUUID, actor: 'user:e2e', correlationId: randomUUID(), causationId: null };
    const event = makeEvent(ctx, streamIdOf(TENANT, 'job-definition', definitionId), 'job-definition.created', {
      definitionId,
      name: definitionId,
      description: '',
      type: 'orchestration-task',
      configuration,
      schedule: null,
      enabled: true,
    });
    await store.append(event.streamId, [event], 'no_stream');
  }

  async function launch(definitionId: string): Promise<string> {
    const res = await call('POST', `/${definitionId}/instances`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toMatch(UUID);
    return res.text;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function finished(definitionId: string, instanceId: string): Promise<any> {
    let report: Answer | undefined;
    await waitFor(async () => {
      report = await call('GET', `/${definitionId}/instances/${instanceId}`);
      return report.status === 200 && report.json.status !== 'RUNNING';
    }, 60_000, 200);
    return report?.json;
  }

  beforeAll(async () => {
    system = await startSystem({ env: { AUTH: 'off', SCHEDULER_LEASE_TTL_MS: '2000' } });
    nc = await connect({ servers: system.nats.url });
    store = await JetStreamEventStore.start(nc);
    await jobDefinition('export_ok', { objects: 10 });
    await jobDefinition('import_partial', { objects: 100, failEvery: 2 });
    await jobDefinition('reconcile_fatal', { fatal: true });
    await jobDefinition('provision_ok', { objects: 5 });
    await jobDefinition('export_slow', { objects: 1, delayMs: 1_500 });
    await jobDefinition('export_very_slow', { objects: 1, delayMs: 30_000 });
  });

  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await system?.stop();
  });

  it("imports the seed's sample XML as printed, serves it as JSON and XML, and exports all definitions", async () => {
    const created = await call('POST', '/', SAMPLE_XML, { 'content-type': 'application/xml' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: 'sample_orchestration_task',
      name: 'Sample Orchestration Task',
      active: true,
      executionTimeLimit: '12:12',
      timeZone: 'UTC',
      orchestratedTasks: [
        { taskId: 'test_exportTaskId', taskType: 'EXPORT', taskStartsAfter: '12:13', timeZone: 'UTC', taskExecutionCondition: { executeOnParentTaskFailure: true } },
        { taskId: 'test_importTaskId', taskType: 'IMPORT', taskStartsAfter: '12:13', timeZone: 'UTC', taskExecutionCondition: { executeOnParentTaskFailure: false } },
      ],
      executionPlan: { scheduleType: 'ONCE', fireTime: '2020-05-18T10:12:39.527Z', interval: 0 },
    });
    const asXml = await call('GET', '/sample_orchestration_task', undefined, { accept: 'application/xml' });
    expect(asXml.type).toMatch(/^application\/xml/);
    expect(asXml.text).toContain('<dmn:OrchestrationTaskDefinition');
    expect(asXml.text).toContain('xmlns:dmn="http://www.memority.com/domino_sync/1_0"');
    expect(asXml.text).toContain('id="sample_orchestration_task"');

    // The same definition as JSON under another id; then both come back in the list and the export.
    const asJson = { ...created.json, id: 'sample_json' };
    expect((await call('POST', '/', asJson)).status).toBe(201);
    expect((await call('POST', '/', asJson)).status).toBe(409);
    const list = await call('GET', '/');
    expect(list.json.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining(['sample_orchestration_task', 'sample_json']));
    const exported = await call('GET', ':export');
    expect(exported.text).toContain('<dmn:OrchestrationTaskDefinitions');
    // The export imports back as is (an update of each definition).
    const reimported = await call('POST', ':import', exported.text, { 'content-type': 'application/xml' });
    expect(reimported.status).toBe(200);
    expect(reimported.json.imported).toEqual(expect.arrayContaining([{ id: 'sample_orchestration_task', result: 'updated' }]));
  });

  it('validates: both limits, unknown properties and malformed XML are 400s naming the field', async () => {
    const both = await call('POST', '/', {
      id: 'both',
      name: 'Both',
      executionTimeLimit: '03:00',
      executionDurationLimit: 'PT4H',
      orchestratedTasks: [{ taskId: 'x', taskType: 'IMPORT' }],
    });
    expect(both.status).toBe(400);
    expect(both.json.field).toBe('executionDurationLimit');
    const bad = await call('POST', '/', { id: 'bad', name: 'Bad', orchestratedTasks: [{ taskId: 'x', taskType: 'IMPORT', timezone: 'UTC' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe('orchestratedTasks[0].timezone');
    const entity = await call('POST', '/', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', { 'content-type': 'application/xml' });
    expect(entity.status).toBe(400);
  });

  it('runs a chain in sequence: SUCCESS, PARTIAL, FAILED, then a task that runs after a failure (report PARTIAL)', async () => {
    expect(
      (
        await call('POST', '/', {
          id: 'chain',
          name: 'Chain',
          orchestratedTasks: [
            { taskId: 'export_ok', taskType: 'EXPORT' },
            { taskId: 'import_partial', taskType: 'IMPORT' },
            { taskId: 'reconcile_fatal', taskType: 'RECONCILIATION' },
            { taskId: 'provision_ok', taskType: 'PROVISIONING', taskExecutionCondition: { executeOnParentTaskFailure: true } },
          ],
        })
      ).status,
    ).toBe(201);
    const instanceId = await launch('chain');
    const report = await finished('chain', instanceId);
    expect(report).toMatchObject({ instanceId, definitionId: 'chain', status: 'PARTIAL' });
    expect(report.tasks.map((t: { status: string }) => t.status)).toEqual(['SUCCESS', 'PARTIAL', 'FAILED', 'SUCCESS']);
    expect(report.tasks[1].objects).toEqual({ processed: 100, succeeded: 50, failed: 50 });
    for (let i = 1; i < report.tasks.length; i++) {
      expect(Date.parse(report.tasks[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(report.tasks[i - 1].endedAt));
    }
    // The report names the real jobs.
    const job = await fetch(`${system.gatewayUrl}/${TENANT}/api/jobs/${report.tasks[0].jobId}`);
    expect(job.status).toBe(200);
    const list = await call('GET', '/chain/instances');
    expect(list.json.map((r: { instanceId: string }) => r.instanceId)).toContain(instanceId);
    // asOf: as it was when it started.
    const early = await call('GET', `/chain/instances/${instanceId}?asOf=${encodeURIComponent(report.startedAt)}`);
    expect(early.json.status).toBe('RUNNING');
  });

  it('stops the chain after a fatal failure: later tasks are SKIPPED for parent-failure', async () => {
    await call('POST', '/', {
      id: 'stops',
      name: 'Stops',
      orchestratedTasks: [
        { taskId: 'reconcile_fatal', taskType: 'RECONCILIATION' },
        { taskId: 'import_partial', taskType: 'IMPORT', taskExecutionCondition: { executeOnParentTaskFailure: false } },
        { taskId: 'export_ok', taskType: 'EXPORT', taskExecutionCondition: { executeOnParentTaskFailure: true } },
      ],
    });
    const report = await finished('stops', await launch('stops'));
    expect(report.status).toBe('FAILED');
    expect(report.tasks.map((t: { status: string; skipReason: string | null }) => [t.status, t.skipReason])).toEqual([
      ['FAILED', null],
      ['SKIPPED', 'parent-failure'],
      ['SKIPPED', 'parent-failure'],
    ]);
  });

  it('skips tasks past the duration limit with time-limit-reached', async () => {
    await call('POST', '/', {
      id: 'limited',
      name: 'Limited',
      executionDurationLimit: 'PT1S',
      orchestratedTasks: [
        { taskId: 'export_slow', taskType: 'EXPORT' },
        { taskId: 'import_partial', taskType: 'IMPORT' },
      ],
    });
    const report = await finished('limited', await launch('limited'));
    expect(report.tasks[0].status).toBe('SUCCESS');
    expect(report.tasks[1]).toMatchObject({ status: 'SKIPPED', skipReason: 'time-limit-reached' });
  });

  it('answers the seed codes: 404 unknown, 409 inactive, cancel 200 empty then 409, delete 204 then 404', async () => {
    expect((await call('POST', '/nope/instances')).status).toBe(404);
    await call('POST', '/', { id: 'inactive', name: 'Inactive', active: false, orchestratedTasks: [{ taskId: 'export_ok', taskType: 'EXPORT' }] });
    expect((await call('POST', '/inactive/instances')).status).toBe(409);
    await call('POST', '/', { id: 'slow', name: 'Slow', orchestratedTasks: [{ taskId: 'export_very_slow', taskType: 'EXPORT' }, { taskId: 'export_ok', taskType: 'EXPORT' }] });
    const instanceId = await launch('slow');
    expect((await call('GET', `/slow/instances/${randomUUID()}`)).status).toBe(404);
    await waitFor(async () => (await call('GET', `/slow/instances/${instanceId}`)).json.tasks[0].status === 'RUNNING', 30_000, 200);
    expect((await call('DELETE', `/slow/instances/${instanceId}`)).status).toBe(409);
    const cancelled = await call('POST', `/slow/instances/${instanceId}/~cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.text).toBe('');
    const report = await finished('slow', instanceId);
    expect(report.status).toBe('CANCELLED');
    expect(report.tasks[1].status).toBe('NOT_STARTED');
    expect((await call('POST', `/slow/instances/${instanceId}/~cancel`)).status).toBe(409);
    expect((await call('POST', `/slow/instances/${randomUUID()}/~cancel`)).status).toBe(404);
    expect((await call('DELETE', `/slow/instances/${instanceId}`)).status).toBe(204);
    expect((await call('GET', `/slow/instances/${instanceId}`)).status).toBe(404);
    expect((await call('DELETE', `/slow/instances/${instanceId}`)).status).toBe(404);
    expect((await call('DELETE', '/inactive')).status).toBe(204);
    expect((await call('GET', '/inactive')).status).toBe(404);
  });

  it('keeps firing a schedule exactly once per fire when the active scheduler is killed', async () => {
    await system.spawn('scheduler', {}, 'scheduler-b');
    const first = new Date(Date.now() + 2_000);
    first.setUTCMilliseconds(0);
    await call('POST', '/', {
      id: 'every2s',
      name: 'Every 2 s',
      orchestratedTasks: [{ taskId: 'export_ok', taskType: 'EXPORT' }],
      executionPlan: { scheduleType: 'INTERVAL', fireTime: first.toISOString(), interval: 2, overlapPolicy: 'ALLOW' },
    });
    await waitFor(async () => ((await call('GET', '/every2s/instances')).json ?? []).length >= 2, 30_000, 200);
    const leader = system.processes.find((p) => p.name === 'scheduler');
    if (!leader) throw new Error('no scheduler process');
    await system.stopProcess(leader, 'SIGKILL');
    const before = (await call('GET', '/every2s/instances')).json.length;
    await waitFor(async () => (await call('GET', '/every2s/instances')).json.length >= before + 2, 40_000, 200);
    await call('PUT', '/every2s', { id: 'every2s', name: 'Every 2 s', active: false, orchestratedTasks: [{ taskId: 'export_ok', taskType: 'EXPORT' }] });

    // Every fire so far: one timer.fired per plan timer, one run per fire.
    const runs = (await call('GET', '/every2s/instances')).json as Array<{ instanceId: string; startedAt: string }>;
    const fired: string[] = [];
    const last = Math.max(...runs.map((r) => Date.parse(r.startedAt)));
    for (let at = first.getTime(); at <= last; at += 2_000) {
      const events = (await store.read(timerStreamId(TENANT, `plan_every2s_0_${at}`))).map((r) => r.event.type);
      expect(events.filter((type) => type === 'timer.fired').length).toBeLessThanOrEqual(1);
      if (events.includes('timer.fired')) fired.push(String(at));
    }
    expect(runs.length).toBe(fired.length);
    expect(new Set(runs.map((r) => r.instanceId)).size).toBe(runs.length);
  });
});
