import type { EventContext } from '../shared/envelope';
import type { JobCommand } from './commands';
import { decideJob } from './decide';
import type { JobEvent } from './events';
import { evolveJob } from './evolve';
import { initialJobState, type JobState } from './state';

export const T0 = new Date('2026-03-01T10:00:00.000Z');

/** A deterministic context: sequential ids and a clock the test moves by hand. */
export function testContext(now: Date = T0): EventContext & { advance(ms: number): void } {
  let n = 0;
  const ctx = {
    tenant: 'acme',
    now,
    newId: () => `id-${++n}`,
    actor: 'user:ann',
    correlationId: 'corr-1',
    causationId: null,
    advance(ms: number) {
      ctx.now = new Date(ctx.now.getTime() + ms);
    },
  };
  return ctx;
}

/** Runs commands through decide and evolve, as the command handler would. */
export function run(commands: JobCommand[], ctx = testContext(), from: JobState = initialJobState) {
  let state = from;
  const events: JobEvent[] = [];
  for (const command of commands) {
    const emitted = decideJob(command, state, ctx);
    events.push(...emitted);
    state = emitted.reduce(evolveJob, state);
  }
  return { state, events, ctx };
}

export const submit = (extra: Partial<Extract<JobCommand, { type: 'submit' }>> = {}): JobCommand => ({
  type: 'submit',
  jobId: 'j1',
  jobType: 'transcode',
  payload: { file: 'a.mov' },
  ...extra,
});

export const errorCodeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};
