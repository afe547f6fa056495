import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext } from '../sdk/context.test-helper';
import { NoopHandler } from './noop.handler';

describe('noop', () => {
  it('is registered as "noop" and completes at once with nothing', async () => {
    const ctx = new TestJobContext({ type: 'noop' });
    expect(handlerRegistration(NoopHandler)).toEqual({ type: 'noop' });
    await expect(new NoopHandler().execute(ctx)).resolves.toBeUndefined();
    expect(ctx.progressCalls).toEqual([]);
  });
});
