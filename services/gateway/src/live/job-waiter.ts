import { Inject, Injectable } from '@nestjs/common';
import { foldJob, isTerminal, streamIdOf, type JobEvent, type JobState } from '@jobstream/domain';
import { EVENT_STORE, type EventStore } from '@jobstream/event-store';
import { LiveTransitions } from './live-transitions';

/** Finished for a waiter: terminal, or deleted (it will never finish then). */
export const isSettled = (s: JobState): boolean => isTerminal(s.status) || s.deleted;

/**
 * Waits for a job to settle: woken by live notices, it reads the stream when one says the job
 * settled, and reads once more at the deadline in case a notice was lost. Resolves with the settled
 * state, or null when the deadline passed (or `abort` fired) first.
 */
@Injectable()
export class JobWaiter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly live: LiveTransitions,
  ) {}

  async read(tenant: string, jobId: string): Promise<JobState> {
    const recorded = await this.store.read(streamIdOf(tenant, 'job', jobId));
    return foldJob(recorded.map((r) => r.event as JobEvent));
  }

  wait(tenant: string, jobId: string, deadline: number, options: { readNow?: boolean; abort?: Promise<unknown> } = {}): Promise<JobState | null> {
    return new Promise<JobState | null>((resolve, reject) => {
      let finished = false;
      const finish = (state: JobState | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        stop();
        resolve(state);
      };
      const check = (atDeadline: boolean) =>
        this.read(tenant, jobId).then((state) => {
          if (isSettled(state)) finish(state);
          else if (atDeadline) finish(null);
        }, (error: unknown) => {
          // A failed wake-up read waits for the deadline read; a failed deadline read is the answer.
          if (!atDeadline || finished) return;
          finished = true;
          stop();
          reject(error);
        });
      const stop = this.live.listen(tenant, jobId, (notice) => {
        if (notice.type === 'job.deleted' || isTerminal(notice.status as JobState['status'])) void check(false);
      });
      const timer = setTimeout(() => void check(true), Math.max(0, deadline - Date.now()));
      options.abort?.then(() => finish(null));
      if (options.readNow) void check(false);
    });
  }
}
