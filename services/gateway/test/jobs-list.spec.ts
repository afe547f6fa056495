import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '@jobstream/testing';
import { startGateway, type TestGateway } from './gateway.test-helper';

const ROOT = resolve(__dirname, '../../..');

/**
 * The real projector, run from its sources as its own process (services never import each other),
 * on the gateway's nats-server. The list is eventually consistent, so reads poll with a bound.
 */
function startProjector(natsUrl: string, dbPath: string): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'services/projector/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, NATS_URL: natsUrl, PROJECTOR_DB: dbPath, LOG_LEVEL: 'warn', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return { child, output: () => output, stop };
}

describe('GET /{tenant}/api/jobs through the projector', () => {
  let gw: TestGateway;
  let projector: ReturnType<typeof startProjector>;
  let dataDir: string;
  const jobIds: string[] = [];

  beforeAll(async () => {
    gw = await startGateway();
    dataDir = mkdtempSync(join(tmpdir(), 'gateway-list-'));
    projector = startProjector(gw.server.url, join(dataDir, 'projector.sqlite'));
    try {
      await waitFor(async () => (await gw.request('GET', '/listco/api/jobs')).status === 200, 30_000);
    } catch (error) {
      throw new Error(`projector did not start: ${(error as Error).message}\n${projector.output()}`);
    }
    for (let i = 0; i < 3; i++) jobIds.push((await gw.request('POST', '/listco/api/jobs', { type: 'listed', payload: { i } })).body.jobId);
    await gw.request('POST', `/listco/api/jobs/${jobIds[0]}/~cancel`);
    await gw.request('POST', '/otherco/api/jobs', { type: 'listed' });
    await waitFor(async () => (await gw.request('GET', '/listco/api/jobs?status=CANCELLED')).body.items?.length === 1);
  }, 60_000);

  afterAll(async () => {
    await projector?.stop();
    await gw?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the tenant’s jobs, filtered', async () => {
    const all = await gw.request('GET', '/listco/api/jobs?type=listed');
    expect(all.status).toBe(200);
    expect(all.body.items.map((j: { jobId: string }) => j.jobId).sort()).toEqual([...jobIds].sort());
    expect(all.body.nextCursor).toBeNull();

    const cancelled = await gw.request('GET', '/listco/api/jobs?status=CANCELLED');
    expect(cancelled.body.items).toEqual([expect.objectContaining({ jobId: jobIds[0], tenant: 'listco', type: 'listed', status: 'CANCELLED' })]);
    const queued = await gw.request('GET', '/listco/api/jobs?status=QUEUED');
    expect(queued.body.items.map((j: { jobId: string }) => j.jobId).sort()).toEqual(jobIds.slice(1).sort());
  });

  it('pages with limit and cursor', async () => {
    const first = await gw.request('GET', '/listco/api/jobs?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await gw.request('GET', `/listco/api/jobs?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const seen = [...first.body.items, ...second.body.items].map((j: { jobId: string }) => j.jobId).sort();
    expect(seen).toEqual([...jobIds].sort());
  });

  it('400 naming cursor for a cursor the projector never issued', async () => {
    const res = await gw.request('GET', '/listco/api/jobs?cursor=not-a-cursor');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', field: 'cursor' });
  });
});
