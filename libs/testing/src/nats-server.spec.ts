import { connect } from 'nats';
import { startNatsServer } from './nats-server';

describe('startNatsServer', () => {
  it('runs a real JetStream server that survives kill -9 with its data', async () => {
    const server = await startNatsServer();
    try {
      let nc = await connect({ servers: server.url });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: 'T', subjects: ['t.>'] });
      await nc.jetstream().publish('t.1', new TextEncoder().encode('x'));
      await nc.close();

      await server.kill();
      await server.restart();

      nc = await connect({ servers: server.url });
      const info = await (await nc.jetstreamManager()).streams.info('T');
      expect(info.state.messages).toBe(1);
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});
