import { startNatsServer, waitFor, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { Lease } from './lease';

describe('Lease (real nats-server)', () => {
  let server: NatsServerHandle;
  const connections: NatsConnection[] = [];
  const leases: Lease[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await Promise.all(leases.splice(0).map((lease) => lease.stop().catch(() => undefined)));
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await server.stop();
  });

  async function candidate(name: string, key: string, log: string[]) {
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    const lease = new Lease(nc, {
      key,
      holderId: name,
      ttlMs: 300,
      onAcquired: () => void log.push(`${name}+`),
      onLost: () => void log.push(`${name}-`),
    });
    leases.push(lease);
    await lease.start();
    return { nc, lease };
  }

  it('has exactly one holder, and a standby takes over when the holder releases', async () => {
    const log: string[] = [];
    const a = await candidate('a', 'release', log);
    const b = await candidate('b', 'release', log);
    expect(a.lease.isHeld).toBe(true);
    expect(b.lease.isHeld).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(b.lease.isHeld).toBe(false);
    await a.lease.stop();
    await waitFor(() => b.lease.isHeld, 5_000);
    expect(log).toEqual(['a+', 'a-', 'b+']);
  });

  it('a standby takes over from a holder that died without releasing', async () => {
    const log: string[] = [];
    const a = await candidate('a', 'crash', log);
    const b = await candidate('b', 'crash', log);
    expect(a.lease.isHeld).toBe(true);
    // A crash: the connection is gone and nothing is released.
    await a.nc.close();
    await waitFor(() => b.lease.isHeld, 5_000);
    expect(log[0]).toBe('a+');
    expect(log).toContain('b+');
    // The dead holder steps down by itself once it cannot renew.
    await waitFor(() => !a.lease.isHeld, 5_000);
  });
});
