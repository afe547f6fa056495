import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { foldJob, isTerminal, streamIdOf, type JobEvent } from '@jobstream/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@jobstream/event-store';
import type { Response } from 'express';
import { toHistory } from '../jobs/job-view';
import { JobsService } from '../jobs/jobs.service';
import { isSettled } from './job-waiter';
import { LiveTransitions } from './live-transitions';

/** An SSE stream re-reads this often even without a notice (a lost notice costs at most this), doubling as a keep-alive. */
const SSE_POLL_MS = Number(process.env.SSE_POLL_MS ?? 15_000);

/**
 * Completion flag and live transitions of one job (seed Enstar: a flag the client polls after a
 * background action, or a stream it listens to).
 */
@Controller(':tenant/api/jobs/:jobId')
export class JobEventsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly live: LiveTransitions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('done')
  async done(@Param('tenant') tenant: string, @Param('jobId') jobId: string) {
    const { status } = await this.jobs.get(tenant, jobId);
    return { done: isTerminal(status), status };
  }

  /**
   * `text/event-stream`: every event so far, then each new one as it is appended; ends after the
   * job settles (COMPLETED, FAILED, CANCELLED or deleted). Event ids are revisions, so a client that
   * reconnects with Last-Event-ID resumes where it stopped.
   */
  @Get('events')
  async events(
    @Param('tenant') tenant: string,
    @Param('jobId') jobId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.jobs.history(tenant, jobId); // validates both ids and answers 404 for an unknown job
    let next = lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) + 1 : 0;
    let ended = false;
    let pumping: Promise<void> = Promise.resolve();
    const streamId = streamIdOf(tenant, 'job', jobId);

    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(poll);
      stopListening();
      stopOnClose();
      res.end();
    };
    const send = (recorded: RecordedEvent[]) => {
      for (const entry of toHistory(jobId, recorded).events) {
        res.write(`id: ${entry.revision}\nevent: ${entry.type}\ndata: ${JSON.stringify(entry)}\n\n`);
      }
    };
    // Reads are chained so events go out once each and in order, however many notices arrive.
    const pump = () =>
      (pumping = pumping.then(async () => {
        if (ended) return;
        const recorded = await this.store.read(streamId);
        if (ended) return;
        send(recorded.filter((r) => r.revision >= next));
        if (recorded.length > 0) next = Math.max(next, recorded[recorded.length - 1].revision + 1);
        if (isSettled(foldJob(recorded.map((r) => r.event as JobEvent)))) end();
      }).catch(() => undefined));

    // Listen before the first read: a transition between the two is then read, not missed.
    const stopListening = this.live.listen(tenant, jobId, (notice) => {
      if (notice.revision >= next) void pump();
    });
    const stopOnClose = this.live.onClose(end);
    const poll = setInterval(() => {
      if (!ended) res.write(': keep-alive\n\n');
      void pump();
    }, SSE_POLL_MS);
    res.on('close', end);

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    void pump();
  }
}
