import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { connect, ErrorCode, headers, NatsError, type NatsConnection } from 'nats';
import { request } from './request';

describe('request (real nats-server)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  const encode = (s: string) => new TextEncoder().encode(s);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    nc.subscribe('echo', { callback: (_e, m) => m.respond(encode(`${decode(m.data)}:${m.headers?.get('X-Test') ?? ''}`)) });
    nc.subscribe('silent', { callback: () => undefined });
    await nc.flush();
  });
  afterAll(async () => {
    await nc.close();
    await server.stop();
  });

  it('answers each of many concurrent requests with its own reply, carrying headers', async () => {
    const h = headers();
    h.set('X-Test', 'h');
    const replies = await Promise.all([...Array(200).keys()].map((i) => request(nc, 'echo', encode(String(i)), { timeout: 5_000, headers: h })));
    expect(replies.map((m) => decode(m.data))).toEqual([...Array(200).keys()].map((i) => `${i}:h`));
  });

  it('fails with the NatsErrors nats.js uses: no responders, timeout, closed connection', async () => {
    const code = (p: Promise<unknown>) => p.then(() => 'answered', (e: NatsError) => e.code);
    expect(await code(request(nc, 'nobody.listens', encode('x'), { timeout: 5_000 }))).toBe(ErrorCode.NoResponders);
    expect(await code(request(nc, 'silent', encode('x'), { timeout: 100 }))).toBe(ErrorCode.Timeout);

    const other = await connect({ servers: server.url });
    const pending = code(request(other, 'silent', encode('x'), { timeout: 10_000 }));
    await other.close();
    expect(await pending).toBe(ErrorCode.ConnectionClosed);
  });
});
