import { connect, NatsConnection } from 'nats';
import { NatsServerHandle, startNatsServer } from '@jobstream/testing';
import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext, waitUntil } from '../sdk/context.test-helper';
import { MessageListenerHandler, parseMessageListenerPayload } from './message-listener.handler';

describe('message-listener', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  const encode = (text: string) => new TextEncoder().encode(text);

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await nc.close();
    await server.stop();
  });

  const listener = (payload: Record<string, unknown>, jobId = 'listener-1') => {
    const ctx = new TestJobContext({ type: 'message-listener', jobId, payload, nats: nc });
    return { ctx, result: new MessageListenerHandler().execute(ctx) };
  };

  it('is registered as a scalable singleton "message-listener"', () => {
    expect(handlerRegistration(MessageListenerHandler)).toEqual({ type: 'message-listener', singleton: true, scalable: true });
  });

  it('starts one job per message until cancelled, then completes with the counts', async () => {
    const { ctx, result } = listener({ subject: 'orders.*', jobType: 'import-order', payloadTemplate: { source: 'bus' } });
    await waitUntil(() => ctx.subscriptions.length === 1, 'the subscription');
    expect(ctx.subscriptions[0]).toMatchObject({ subject: 'orders.*', queue: 'listener.listener-1' });
    await nc.flush();

    nc.publish('orders.eu', encode('{"id":1}'));
    nc.publish('orders.us', encode('plain text'));
    nc.publish('orders.eu', encode('[2,3]'));
    await waitUntil(() => ctx.submitted.length === 3, '3 child jobs');
    ctx.abort();

    await expect(result).resolves.toEqual({ jobVariables: { messagesReceived: 3, jobsStarted: 3 } });
    expect(ctx.submitted.map(({ type, payload }) => ({ type, payload }))).toEqual([
      { type: 'import-order', payload: { message: { id: 1 }, subject: 'orders.eu', source: 'bus' } },
      { type: 'import-order', payload: { message: 'plain text', subject: 'orders.us', source: 'bus' } },
      { type: 'import-order', payload: { message: [2, 3], subject: 'orders.eu', source: 'bus' } },
    ]);
    expect(ctx.progressCalls.at(-1)).toEqual({ percent: 0, message: '3 messages' });
    expect(ctx.jobVariables).toEqual({ messagesReceived: 3, jobsStarted: 3 });
  });

  it('shares messages between scaled instances of the same job through the default queue group', async () => {
    const payload = { subject: 'shared.in', jobType: 'work' };
    const a = listener(payload, 'scaled');
    const b = listener(payload, 'scaled');
    await waitUntil(() => a.ctx.subscriptions.length === 1 && b.ctx.subscriptions.length === 1, 'both subscriptions');
    await nc.flush();

    for (let i = 0; i < 20; i++) nc.publish('shared.in', encode(String(i)));
    const total = () => a.ctx.submitted.length + b.ctx.submitted.length;
    await waitUntil(() => total() === 20, '20 child jobs');
    a.ctx.abort();
    b.ctx.abort();
    const [ra, rb] = (await Promise.all([a.result, b.result])) as { jobVariables: { jobsStarted: number } }[];

    expect(ra.jobVariables.jobsStarted + rb.jobVariables.jobsStarted).toBe(20);
    const messages = [...a.ctx.submitted, ...b.ctx.submitted].map((job) => job.payload?.message);
    expect(new Set(messages).size).toBe(20);
  });

  it('keeps listening when a job cannot be started, and counts only started jobs', async () => {
    let calls = 0;
    const ctx = new TestJobContext({
      type: 'message-listener',
      payload: { subject: 'in', jobType: 'work' },
      submit: async () => {
        calls += 1;
        if (calls === 1) throw new Error('submit refused');
        return 'child';
      },
    });
    const result = new MessageListenerHandler().execute(ctx);
    await waitUntil(() => ctx.subscriptions.length === 1, 'the subscription');
    await ctx.deliver('in', 'a');
    await ctx.deliver('in', 'b');
    ctx.abort();

    await expect(result).resolves.toEqual({ jobVariables: { messagesReceived: 2, jobsStarted: 1 } });
    expect(ctx.logs).toEqual([expect.objectContaining({ level: 'warn', msg: 'could not start a job for a message' })]);
  });

  it('does not subscribe when cancelled before it starts', async () => {
    const ctx = new TestJobContext({ type: 'message-listener', payload: { subject: 'in', jobType: 'work' } });
    ctx.abort();
    await expect(new MessageListenerHandler().execute(ctx)).resolves.toEqual({ jobVariables: { messagesReceived: 0, jobsStarted: 0 } });
    expect(ctx.subscriptions).toEqual([]);
  });

  it.each([
    [{ jobType: 'work' }, 'payload.subject must be a non-empty NATS subject'],
    [{ subject: 'a.>.b', jobType: 'work' }, 'payload.subject "a.>.b" uses a wildcard inside a token'],
    [{ subject: 'a.b*', jobType: 'work' }, 'payload.subject "a.b*" uses a wildcard inside a token'],
    [{ subject: 'a' }, 'payload.jobType must be a job type'],
    [{ subject: 'a', jobType: 'Not Valid' }, 'payload.jobType must be a job type'],
    [{ subject: 'a', jobType: 'w', queue: 'q 1' }, 'payload.queue must not contain whitespace'],
    [{ subject: 'a', jobType: 'w', payloadTemplate: 'x' }, 'payload.payloadTemplate must be an object'],
    [{ subject: 'a', jobType: 'w', payloadTemplate: { message: 1 } }, 'payload.payloadTemplate.message is reserved'],
    [{ subject: 'a', jobType: 'w', type: 'x' }, 'payload.type is not a known field'],
  ])('rejects %p', (payload, message) => {
    expect(() => parseMessageListenerPayload(payload)).toThrow(message);
  });

  it('accepts a full wildcard and a given queue', () => {
    expect(parseMessageListenerPayload({ subject: 'events.>', jobType: 'w', queue: 'team-a' })).toEqual({
      subject: 'events.>',
      queue: 'team-a',
      jobType: 'w',
      payloadTemplate: {},
    });
  });
});
