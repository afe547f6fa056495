import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext } from '../sdk/context.test-helper';
import { PublishHandler } from './publish.handler';

describe('publish', () => {
  const run = (payload: Record<string, unknown>) => {
    const ctx = new TestJobContext({ type: 'publish', payload });
    return { ctx, result: new PublishHandler().execute(ctx) };
  };
  const text = (data: Uint8Array) => new TextDecoder().decode(data);

  it('is registered as "publish"', () => {
    expect(handlerRegistration(PublishHandler)).toEqual({ type: 'publish' });
  });

  it('publishes JSON data as JSON', async () => {
    const { ctx, result } = run({ subject: 'orders.created', data: { id: 7 } });
    await expect(result).resolves.toEqual({ output: { subject: 'orders.created', bytes: 8 } });
    expect(ctx.published.map((m) => [m.subject, text(m.data)])).toEqual([['orders.created', '{"id":7}']]);
  });

  it('publishes strings as UTF-8 text, not as JSON strings', async () => {
    const { ctx, result } = run({ subject: 'greetings', data: 'héllo' });
    await result;
    expect(text(ctx.published[0].data)).toBe('héllo');
  });

  it.each([
    [{ data: 1 }, 'payload.subject must be a non-empty NATS subject'],
    [{ subject: 'a.*', data: 1 }, 'payload.subject "a.*" must not contain wildcards (* or >)'],
    [{ subject: 'a.>', data: 1 }, 'payload.subject "a.>" must not contain wildcards'],
    [{ subject: 'a..b', data: 1 }, 'payload.subject "a..b" has an empty token'],
    [{ subject: '.a', data: 1 }, 'payload.subject ".a" has an empty token'],
    [{ subject: 'a b', data: 1 }, 'payload.subject "a b" must not contain whitespace'],
    [{ subject: 'a' }, 'payload.data is required'],
    [{ subject: 'a', data: 1, replyTo: 'b' }, 'payload.replyTo is not a known field'],
  ])('rejects %p', async (payload, message) => {
    const { ctx, result } = run(payload);
    await expect(result).rejects.toMatchObject({ name: 'InvalidPayloadError', message: expect.stringContaining(message) });
    expect(ctx.published).toEqual([]);
  });
});
