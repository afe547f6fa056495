import { Duration } from 'luxon';
import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { InvalidPayloadError, sleep, throwIfAborted } from './errors';
import { onlyFields, Payload } from './payload';

const DELAY_RULE = 'must be an ISO-8601 duration such as "PT5S", a number of milliseconds, or "Now"';

/** Milliseconds to wait; "Now" is 0 (seed Enstar: a Delay of "Now" behaves exactly like Background). */
export function parseDelay(payload: Payload): number {
  onlyFields(payload, ['delay']);
  const value = payload.delay;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new InvalidPayloadError('delay', DELAY_RULE);
    return value;
  }
  if (typeof value !== 'string') throw new InvalidPayloadError('delay', DELAY_RULE);
  if (value.toLowerCase() === 'now') return 0;
  const duration = Duration.fromISO(value);
  const ms = duration.isValid ? duration.toMillis() : NaN;
  if (!(ms >= 0)) throw new InvalidPayloadError('delay', DELAY_RULE);
  return ms;
}

// Progress doubles as the heartbeat, so it must come often; but a day-long delay reporting every
// second would write 86,400 events, hence about 100 reports per delay, between 1 s and 15 s apart.
const progressInterval = (ms: number) => Math.min(15_000, Math.max(1_000, ms / 100));

/**
 * Waits for `payload.delay`, reporting percent elapsed. The due time is recorded as a step, so a
 * retried or resumed delay ends when the first attempt would have, instead of starting over.
 */
@JobHandler('delay', { resumable: true })
export class DelayHandler implements JobHandler {
  async execute(ctx: JobContext): Promise<JobOutcome> {
    const ms = parseDelay(ctx.payload);
    throwIfAborted(ctx.signal);
    if (ms === 0) return undefined;
    const dueAt = await ctx.step('due-at', () => Date.now() + ms);
    const startedAt = dueAt - ms;
    for (let left = dueAt - Date.now(); left > 0; left = dueAt - Date.now()) {
      await sleep(Math.min(left, progressInterval(ms)), ctx.signal);
      const elapsed = Math.min(ms, Date.now() - startedAt);
      if (elapsed < ms) await ctx.progress(Math.floor((elapsed / ms) * 100), `${Math.round((ms - elapsed) / 1000)} s left`);
    }
    await ctx.progress(100);
    return undefined;
  }

  resume(ctx: JobContext): Promise<JobOutcome> {
    return this.execute(ctx);
  }
}
