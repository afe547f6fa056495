import { connect, type NatsConnection } from 'nats';
import { publishTransition, type TransitionNotice } from '@jobstream/messaging';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { LiveTransitions } from './live-transitions';

jest.setTimeout(30_000);

const notice = (jobId: string, type = 'job.completed'): TransitionNotice => ({ jobId, type, revision: 2, status: 'COMPLETED' });

describe('LiveTransitions (real nats-server)', () => {
  let nats: NatsServerHandle;
  let gateway: NatsConnection;
  let executor: NatsConnection;
  let live: LiveTransitions;

  beforeAll(async () => {
    nats = await startNatsServer();
    gateway = await connect({ servers: nats.url });
    executor = await connect({ servers: nats.url });
  });

  beforeEach(() => {
    live = new LiveTransitions(gateway);
  });

  afterEach(() => live.onModuleDestroy());

  afterAll(async () => {
    await gateway.close();
    await executor.close();
    await nats.stop();
  });

  /** Publishes from another connection and waits until the gateway's connection has seen whatever reached it. */
  async function publish(tenant: string, n: TransitionNotice): Promise<void> {
    publishTransition(executor, tenant, n);
    await executor.flush();
    await gateway.flush();
  }

  it("hands each notice to the listeners of its job, and only of its tenant's job", async () => {
    const seen: string[] = [];
    live.listen('acme', 'job-1', (n) => seen.push(`acme/${n.jobId}:${n.type}`));
    live.listen('acme', 'job-2', (n) => seen.push(`acme/${n.jobId}:${n.type}`));
    live.listen('globex', 'job-1', (n) => seen.push(`globex/${n.jobId}:${n.type}`));
    await gateway.flush();

    await publish('acme', notice('job-1', 'job.started'));
    await publish('acme', notice('job-2'));
    await publish('globex', notice('job-1'));
    await publish('initech', notice('job-1'));

    expect(seen).toEqual(['acme/job-1:job.started', 'acme/job-2:job.completed', 'globex/job-1:job.completed']);
  });

  it('receives no notice at all while nobody waits on a job of the tenant', async () => {
    const received = () => gateway.stats().inMsgs;
    const before = received();
    await publish('acme', notice('job-1'));
    expect(received()).toBe(before);

    const stopFirst = live.listen('acme', 'job-1', () => undefined);
    const stopSecond = live.listen('acme', 'job-2', () => undefined);
    await gateway.flush();
    await publish('acme', notice('job-1'));
    expect(received()).toBe(before + 1);

    stopFirst();
    stopFirst();
    await gateway.flush();
    await publish('acme', notice('job-2'));
    expect(received()).toBe(before + 2);

    stopSecond();
    await gateway.flush();
    await publish('acme', notice('job-2'));
    expect(received()).toBe(before + 2);
  });

  it('listens again after the last listener of a tenant left', async () => {
    live.listen('acme', 'job-1', () => undefined)();
    const seen: string[] = [];
    live.listen('acme', 'job-1', (n) => seen.push(n.type));
    await gateway.flush();
    await publish('acme', notice('job-1'));
    expect(seen).toEqual(['job.completed']);
  });
});
