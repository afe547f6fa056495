import { Controller, Get, Inject, Injectable, OnModuleDestroy, Param, Res } from '@nestjs/common';
import { NATS_CONNECTION, subjects, transitionCodec, type TransitionNotice } from '@jobstream/messaging';
import type { Response } from 'express';
import type { NatsConnection } from 'nats';
import { requireTenant } from '../jobs/jobs.service';

/** Notices are coalesced per job over this window: a dashboard needs the latest state, not every step. */
const FLUSH_MS = Number(process.env.DASHBOARD_SSE_FLUSH_MS ?? 250);
const KEEP_ALIVE_MS = 15_000;

/** What the feed sends: the notice plus the aggregate it is about (`job` today; others as they publish). */
export interface TenantTransition extends TransitionNotice {
  aggregate: string;
}

/** Ends every open feed when the app shuts down, so the HTTP server can close. */
@Injectable()
export class OpenFeeds implements OnModuleDestroy {
  private readonly closers = new Set<() => void>();

  add(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  onModuleDestroy(): void {
    for (const close of [...this.closers]) close();
  }
}

/**
 * `GET /{tenant}/api/events`: every transition of the tenant as server-sent events, for the
 * dashboard's live tables. Notices are hints (core NATS): a client that needs the record reads the
 * job; a client that reconnects reloads its page of data, as there is no replay here.
 */
@Controller(':tenant/api/events')
export class TenantEventsController {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly feeds: OpenFeeds,
  ) {}

  @Get()
  async stream(@Param('tenant') tenantParam: string, @Res() res: Response): Promise<void> {
    const tenant = requireTenant(tenantParam);
    const pending = new Map<string, TenantTransition>();
    const subscription = this.nc.subscribe(subjects.transitions(tenant, '*'), {
      callback: (error, msg) => {
        if (error) return;
        try {
          const notice = transitionCodec.decode(msg.data);
          const aggregate = msg.subject.split('.')[2];
          pending.set(`${aggregate}/${notice.jobId}`, { aggregate, ...notice });
        } catch {
          // A malformed hint is dropped: the next one, or a reload, brings the state.
        }
      },
    });
    const flush = setInterval(() => {
      if (pending.size === 0) return;
      const batch = [...pending.values()];
      pending.clear();
      res.write(batch.map((t) => `event: ${t.aggregate}\ndata: ${JSON.stringify(t)}\n\n`).join(''));
    }, FLUSH_MS);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(flush);
      clearInterval(keepAlive);
      subscription.unsubscribe();
      forget();
      res.end();
    };
    const forget = this.feeds.add(end);
    res.on('close', end);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // The first line tells the client the subscription is in place at the server.
    await this.nc.flush();
    res.write(': subscribed\n\n');
  }
}
