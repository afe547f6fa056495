import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSystem, waitFor, type RunningSystem } from '@jobstream/testing';
import { getJson, postJson } from './http';

jest.setTimeout(120_000);
const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'tools', 'cli', 'bin', 'jobstream.js');

describe('audit end to end (real processes, real nats-server, the built CLI)', () => {
  let system: RunningSystem;
  const jobs: string[] = [];

  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...system.env }, timeout: 60_000 });
      return { code: 0, stdout };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? 1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  };

  beforeAll(async () => {
    system = await startSystem();
    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${system.gatewayUrl}/acme/api/jobs`, { type: 'publish', payload: { subject: 'e2e.audit', data: `job-${i}` } });
      expect(res.status).toBe(202);
      jobs.push(res.body.jobId as string);
    }
    await waitFor(async () => {
      const states = await Promise.all(jobs.map((id) => getJson(`${system.gatewayUrl}/acme/api/jobs/${id}`)));
      return states.every((s) => s.body?.status === 'COMPLETED');
    }, 60_000, 100);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('answers GET /jobs/{id}?asOf with the state as it was then', async () => {
    const history = (await getJson(`${system.gatewayUrl}/acme/api/jobs/${jobs[0]}/history`)).body.events as { type: string; occurredAt: string }[];
    const submittedAt = history.find((e) => e.type === 'job.submitted')?.occurredAt as string;
    const startedAt = history.find((e) => e.type === 'job.started')?.occurredAt as string;
    const completedAt = history.find((e) => e.type === 'job.completed')?.occurredAt as string;
    const asOf = async (at: string) => getJson(`${system.gatewayUrl}/acme/api/jobs/${jobs[0]}?asOf=${encodeURIComponent(at)}`);

    expect((await asOf(new Date(Date.parse(submittedAt) - 1).toISOString())).status).toBe(404);
    if (startedAt !== submittedAt) expect((await asOf(submittedAt)).body.status).toBe('QUEUED');
    if (completedAt !== startedAt) expect((await asOf(startedAt)).body.status).toBe('RUNNING');
    expect((await asOf(completedAt)).body.status).toBe('COMPLETED');
  });

  it('replays a job with the CLI, now and as of its submission', async () => {
    const now = await cli('replay', '--tenant', 'acme', '--job', jobs[1], '--json');
    expect(now.code).toBe(0);
    expect(JSON.parse(now.stdout)).toMatchObject({ jobId: jobs[1], status: 'COMPLETED', version: 3 });
    const history = (await getJson(`${system.gatewayUrl}/acme/api/jobs/${jobs[1]}/history`)).body.events as { occurredAt: string }[];
    const then = await cli('replay', '--tenant', 'acme', '--job', jobs[1], '--until', history[0].occurredAt, '--json');
    expect(JSON.parse(then.stdout)).toMatchObject({ status: 'QUEUED' });
  });

  it('rebuilds the read models and finds them identical to the live projector`s', async () => {
    const result = await cli('replay', '--all', '--verify', '--db', system.env.PROJECTOR_DB);
    expect(result.stdout).toContain('OK: identical');
    expect(result.code).toBe(0);
  });

  it('verifies the hash chains after recording checkpoints', async () => {
    expect((await cli('audit', 'checkpoint', '--tenant', 'acme')).code).toBe(0);
    const verified = await cli('audit', 'verify', '--json');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ findings: [], checkpoints: 1, events: 10 });
  });
});
