import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { NATS_CONNECTION, subjects, transitionCodec, type TransitionNotice } from '@jobstream/messaging';
import type { NatsConnection, Subscription } from 'nats';

type Listener = (notice: TransitionNotice) => void;

const keyOf = (tenant: string, jobId: string) => `${tenant}/${jobId}`;
const TENANT_TOKEN = 1;

/**
 * One core-NATS subscription to every job transition notice (`live.*.job`), fanned out in process to
 * whoever waits on a job: sync waiters and SSE streams. Notices are hints that wake a reader up;
 * the reader then reads the stream, so a lost notice only delays it (until its deadline re-read).
 */
@Injectable()
export class LiveTransitions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('live');
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closers = new Set<() => void>();
  private subscription?: Subscription;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(subjects.transitions('*', 'job'), {
      callback: (error, msg) => {
        if (error) {
          this.logger.warn(`transition subscription failed: ${error.message}`);
          return;
        }
        // Every gateway sees every transition; decoding is skipped unless someone here waits.
        if (this.listeners.size === 0) return;
        const tenant = msg.subject.split('.')[TENANT_TOKEN];
        let notice: TransitionNotice;
        try {
          notice = transitionCodec.decode(msg.data);
        } catch {
          return;
        }
        const set = this.listeners.get(keyOf(tenant, notice.jobId));
        if (set) for (const listener of [...set]) listener(notice);
      },
    });
  }

  /** Draining: long-lived listeners (SSE streams) end so the HTTP servers can close. */
  onModuleDestroy(): void {
    for (const close of [...this.closers]) close();
    this.subscription?.unsubscribe();
  }

  /** Registers before the caller reads the stream, so no transition falls between read and listen. */
  listen(tenant: string, jobId: string, listener: Listener): () => void {
    const key = keyOf(tenant, jobId);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  /** Called on shutdown; returns the deregistration. */
  onClose(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }
}
