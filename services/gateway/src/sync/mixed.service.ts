import { Injectable } from '@nestjs/common';
import type { SyncJobResult } from '@jobstream/contracts';
import { ApiError } from '../errors/api-error';
import type { Caller } from '../jobs/caller';
import { JobsService } from '../jobs/jobs.service';
import { parseTimeoutMs, SyncService, syncLinksOf, validateJobBody, type SyncLinks } from './sync.service';

export const MAX_ACTIONS = 100;

interface Action {
  index: number;
  background: boolean;
  job: Record<string, unknown>;
}

export type ActionAnswer =
  | ({ index: number; background: false } & SyncJobResult)
  | { index: number; background: false; jobId: string; mode: 'async-fallback'; reason: string; status: string; links: SyncLinks }
  | { index: number; background: true; jobId: string; status: string; duplicate: boolean; links: SyncLinks }
  | { index: number; background: boolean; skipped: true };

export interface MixedAnswer {
  statusCode: 200 | 202;
  body: { completed: boolean; actions: ActionAnswer[] };
}

/**
 * Seed Enstar's event tree: ordered actions, some synchronous, some in the background. Synchronous
 * actions run first, in order, each waited like `jobs:run` (all within the one `timeoutMs`); then the
 * background ones are submitted, in order. An action "Background" and a Delay of "Now" are the same.
 * The first synchronous action that does not complete stops the request: later actions are skipped,
 * as a failed step of an event tree stops the tree.
 */
@Injectable()
export class MixedService {
  constructor(
    private readonly jobs: JobsService,
    private readonly sync: SyncService,
  ) {}

  async run(tenant: unknown, body: unknown, caller: Caller): Promise<MixedAnswer> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.badRequest('(body)', 'must be a JSON object');
    const { actions: raw, timeoutMs: rawTimeout, ...rest } = body as Record<string, unknown>;
    const [unknownField] = Object.keys(rest);
    if (unknownField !== undefined) throw ApiError.badRequest(unknownField, `property ${unknownField} should not exist`);
    const timeoutMs = parseTimeoutMs(rawTimeout);
    const actions = parseActions(raw);
    const deadline = Date.now() + timeoutMs;

    const answers: ActionAnswer[] = [];
    let stopped = false;
    let fellBack = false;
    for (const action of actions.filter((a) => !a.background)) {
      if (stopped) {
        answers.push({ index: action.index, background: false, skipped: true });
        continue;
      }
      const { statusCode, body: result } = await this.sync.runJob(tenant, action.job, caller, deadline);
      answers.push({ index: action.index, background: false, ...result } as ActionAnswer);
      if (statusCode === 202 || result.status !== 'COMPLETED') {
        stopped = true;
        fellBack = statusCode === 202;
      }
    }
    for (const action of actions.filter((a) => a.background)) {
      if (stopped) {
        answers.push({ index: action.index, background: true, skipped: true });
        continue;
      }
      const answer = await this.jobs.submit(tenant, action.job, caller);
      answers.push({
        index: action.index,
        background: true,
        jobId: answer.jobId,
        status: answer.status,
        duplicate: answer.duplicate,
        links: syncLinksOf(tenant as string, answer.jobId),
      });
    }
    answers.sort((a, b) => a.index - b.index);
    return { statusCode: fellBack ? 202 : 200, body: { completed: !stopped, actions: answers } };
  }
}

/** Every action is checked before the first runs: one bad action rejects the request untouched. */
function parseActions(raw: unknown): Action[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ACTIONS) {
    throw ApiError.badRequest('actions', `actions must hold 1 to ${MAX_ACTIONS} actions`);
  }
  return raw.map((item, index) => {
    const prefix = `actions[${index}].`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw ApiError.badRequest(`actions[${index}]`, 'must be a JSON object');
    const { background, delay, ...job } = item as Record<string, unknown>;
    if (background !== undefined && typeof background !== 'boolean') throw ApiError.badRequest(`${prefix}background`, 'background must be true or false');
    if (delay !== undefined && !(typeof delay === 'string' && delay.toLowerCase() === 'now')) {
      throw ApiError.badRequest(`${prefix}delay`, 'delay must be "Now" (a Delay of "Now" is the same as background: true)');
    }
    if (delay !== undefined && background === false) {
      throw ApiError.badRequest(`${prefix}delay`, 'delay "Now" runs the action in the background; it cannot be combined with background: false');
    }
    validateJobBody(job, prefix);
    return { index, background: background === true || delay !== undefined, job };
  });
}
