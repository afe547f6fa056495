import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext, waitUntil } from '../sdk/context.test-helper';
import { DelayHandler, parseDelay } from './delay.handler';

describe('delay', () => {
  const context = (delay: unknown, completedSteps?: Record<string, unknown>) =>
    new TestJobContext({ type: 'delay', payload: { delay }, completedSteps });

  it('is registered as the resumable "delay" type', () => {
    expect(handlerRegistration(DelayHandler)).toEqual({ type: 'delay', resumable: true });
  });

  it.each([
    ['PT5S', 5_000],
    ['P1DT1M', 86_460_000],
    ['PT0.25S', 250],
    [1_500, 1_500],
    [0, 0],
    ['Now', 0],
    ['now', 0],
  ])('reads %p as %p ms', (delay, ms) => {
    expect(parseDelay({ delay })).toBe(ms);
  });

  it.each([undefined, 'five seconds', 'PT-5S', -1, Number.NaN, Infinity, { seconds: 5 }])('rejects delay %p', (delay) => {
    expect(() => parseDelay({ delay })).toThrow('payload.delay must be an ISO-8601 duration such as "PT5S"');
  });

  it('rejects unknown fields by name', () => {
    expect(() => parseDelay({ delay: 'PT1S', dely: 3 })).toThrow('payload.dely is not a known field');
  });

  it('completes at once for "Now", like a background action, without steps or progress', async () => {
    const ctx = context('Now');
    await expect(new DelayHandler().execute(ctx)).resolves.toBeUndefined();
    expect(ctx.steps).toEqual([]);
    expect(ctx.progressCalls).toEqual([]);
  });

  it('waits, reporting rising percent elapsed, and ends at 100', async () => {
    const ctx = context(1_100);
    await new DelayHandler().execute(ctx);
    const percents = ctx.progressCalls.map((call) => call.percent);
    expect(ctx.steps.map((s) => s.name)).toEqual(['due-at']);
    expect(percents.at(-1)).toBe(100);
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it('on resume keeps the recorded due time instead of waiting the whole delay again', async () => {
    const ctx = context('PT1H', { 'due-at': Date.now() - 1 });
    await expect(new DelayHandler().resume(ctx)).resolves.toBeUndefined();
    expect(ctx.steps).toEqual([expect.objectContaining({ name: 'due-at', replayed: true })]);
    expect(ctx.progressCalls).toEqual([{ percent: 100 }]);
  });

  it('throws AbortError when cancelled while waiting', async () => {
    const ctx = context('PT1H');
    const running = new DelayHandler().execute(ctx);
    await waitUntil(() => ctx.steps.length === 1, 'the due time step');
    ctx.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('throws AbortError when cancelled before it starts', async () => {
    const ctx = context('PT1S');
    ctx.abort();
    await expect(new DelayHandler().execute(ctx)).rejects.toMatchObject({ name: 'AbortError' });
    expect(ctx.steps).toEqual([]);
  });
});
