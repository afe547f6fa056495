import { rpc, SERVICES, subjects } from '@jobstream/messaging';
import { RunningSystem, startSystem } from '@jobstream/testing';
import { connect, NatsConnection } from 'nats';

jest.setTimeout(60_000);

describe('service life cycle (real processes)', () => {
  let system: RunningSystem;
  let nc: NatsConnection;

  beforeAll(async () => {
    system = await startSystem();
    nc = await connect({ servers: system.nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  it('answers GET /health with every service up', async () => {
    const res = await fetch(`${system.gatewayUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      services: { gateway: 'up', scheduler: 'up', executor: 'up', 'lock-manager': 'up', projector: 'up' },
    });
  });

  it.each(SERVICES)('%s answers its NATS health subject', async (service) => {
    const reply = await rpc<{ service: string; status: string }>(nc, subjects.health(service), {});
    expect(reply).toMatchObject({ service, status: 'ok' });
  });

  it('reports the system degraded when a service is gone, and every service exits 0 on SIGTERM', async () => {
    for (const proc of system.processes.filter((p) => p.name !== 'gateway')) {
      const exited = new Promise<number | null>((resolve) => proc.process.once('exit', (code) => resolve(code)));
      await system.stopProcess(proc, 'SIGTERM');
      expect(await exited).toBe(0);
    }
    const res = await fetch(`${system.gatewayUrl}/health`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { services: Record<string, string> }).services.executor).toBe('down');

    const gateway = system.processes.find((p) => p.name === 'gateway')!;
    const exited = new Promise<number | null>((resolve) => gateway.process.once('exit', (code) => resolve(code)));
    await system.stopProcess(gateway, 'SIGTERM');
    expect(await exited).toBe(0);
  });
});
