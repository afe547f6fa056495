import type { JobDefinitionCommand, JobDefinitionInput } from './commands';
import { decideJobDefinition } from './decide';
import type { JobDefinitionEvent } from './events';
import { evolveJobDefinition } from './evolve';
import { initialJobDefinitionState, type JobDefinitionState } from './state';
import { testContext } from '../job/job.test-helper';

export { errorCodeOf, testContext, T0 } from '../job/job.test-helper';

export type Step = JobDefinitionCommand | ((state: JobDefinitionState) => JobDefinitionCommand);

export const spec = (extra: Partial<JobDefinitionInput> = {}): JobDefinitionInput => ({
  name: 'email_sending',
  description: 'Email Sender',
  jobType: 'email-sender',
  configuration: { smtp: 'mail.local' },
  schedule: { kind: 'interval', everyMs: 60_000 },
  enabled: true,
  ...extra,
});

export const create = (extra: Partial<JobDefinitionInput> = {}): JobDefinitionCommand => ({
  type: 'create',
  definitionId: 'd1',
  ...spec(extra),
});

/** Runs commands (or commands built from the current state) through decide and evolve. */
export function runDefinition(steps: Step[], ctx = testContext(), from: JobDefinitionState = initialJobDefinitionState) {
  let state = from;
  const events: JobDefinitionEvent[] = [];
  for (const step of steps) {
    const emitted = decideJobDefinition(typeof step === 'function' ? step(state) : step, state, ctx);
    events.push(...emitted);
    state = emitted.reduce(evolveJobDefinition, state);
  }
  return { state, events, ctx };
}

export const started = (executorId: string) => (s: JobDefinitionState): JobDefinitionCommand => ({
  type: 'recordRunStarted',
  jobId: s.currentJobId ?? 'stray-job',
  executorId,
});

export const finished = (s: JobDefinitionState): JobDefinitionCommand => ({
  type: 'recordRunFinished',
  jobId: s.currentJobId ?? 'stray-job',
  result: 'COMPLETED',
});
