import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { coalesceWrites } from './coalesced-writes';

/** Counts the socket writes of a connection: nats.js hands every write to its transport's send(). */
function countWrites(nc: NatsConnection): () => number {
  const transport = (nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } }).protocol.transport;
  let writes = 0;
  const send = transport.send.bind(transport);
  transport.send = (frame) => {
    writes++;
    send(frame);
  };
  return () => writes;
}

/** 200 publishes, each after an await, as services publish between awaited steps. */
async function publishApart(nc: NatsConnection, subject: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await Promise.resolve();
    nc.publish(subject, new TextEncoder().encode(String(i)));
  }
}

describe('coalesceWrites', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes the commands of one event-loop turn in one socket write, in order, and loses none', async () => {
    const reader = await connect({ servers: server.url });
    const received: string[] = [];
    reader.subscribe('coalesce.test', { callback: (_e, m) => received.push(m.string()) });
    await reader.flush();

    const plain = await connect({ servers: server.url });
    const plainWrites = countWrites(plain);
    await publishApart(plain, 'coalesce.other');
    await plain.flush();

    const coalesced = await connect({ servers: server.url });
    coalesceWrites(coalesced);
    const coalescedWrites = countWrites(coalesced);
    await publishApart(coalesced, 'coalesce.test');
    await coalesced.flush();
    await reader.flush();

    expect(plainWrites()).toBeGreaterThan(100);
    expect(coalescedWrites()).toBeLessThanOrEqual(2);
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    // Request-reply still works through the patched path.
    reader.subscribe('coalesce.echo', { callback: (_e, m) => m.respond(m.data) });
    await reader.flush();
    expect((await coalesced.request('coalesce.echo', new TextEncoder().encode('ping'), { timeout: 2_000 })).string()).toBe('ping');
    await Promise.all([plain.close(), coalesced.close(), reader.close()]);
  });
});
