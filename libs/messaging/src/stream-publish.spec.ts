import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { connect, ErrorCode, headers, type NatsConnection } from 'nats';
import { publishToStream } from './stream-publish';

describe('publishToStream (real nats-server)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await (await nc.jetstreamManager()).streams.add({ name: 'PUBLISH_SPEC', subjects: ['spec.>'] });
  });
  afterAll(async () => {
    await nc.close();
    await server.stop();
  });

  const withId = (id: string, expectedLastSubjectSeq?: number) => {
    const h = headers();
    h.append('Nats-Msg-Id', id);
    if (expectedLastSubjectSeq !== undefined) h.append('Nats-Expected-Last-Subject-Sequence', String(expectedLastSubjectSeq));
    return h;
  };

  it('answers with the stored sequence, and marks a repeated message id as a duplicate of it', async () => {
    const first = await publishToStream(nc, 'spec.a', Buffer.from('1'), withId('m1'));
    expect(first).toMatchObject({ stream: 'PUBLISH_SPEC', duplicate: false });
    expect(await publishToStream(nc, 'spec.a', Buffer.from('1'), withId('m1'))).toMatchObject({ seq: first.seq, duplicate: true });
  });

  it('rejects with the JetStream error code on a wrong expected sequence, and with no-responders without a stream', async () => {
    await expect(publishToStream(nc, 'spec.b', Buffer.from('x'), withId('m2', 99))).rejects.toMatchObject({ api_error: { err_code: 10071 } });
    await expect(publishToStream(nc, 'nostream.here', Buffer.from('x'))).rejects.toMatchObject({ code: ErrorCode.NoResponders });
  });
});
