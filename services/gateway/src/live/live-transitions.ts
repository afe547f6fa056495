import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { NATS_CONNECTION, subjects, transitionCodec, type TransitionNotice } from '@jobstream/messaging';
import type { Msg, NatsConnection, NatsError, Subscription } from 'nats';

type Listener = (notice: TransitionNotice) => void;

const keyOf = (tenant: string, jobId: string) => `${tenant}/${jobId}`;

/**
 * Job transition notices (`live.<tenant>.job`), fanned out in process to whoever waits on a job: sync
 * waiters and SSE streams. A tenant's subject is subscribed only while someone here waits on one of its
 * jobs: every job's transitions would otherwise wake every gateway, which on our machines costs more than
 * the notice is worth. Notices are hints that wake a reader up; the reader then reads the stream, so a lost
 * notice only delays it (until its deadline re-read).
 */
@Injectable()
export class LiveTransitions implements OnModuleDestroy {
  private readonly logger = new Logger('live');
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly tenants = new Map<string, { subscription: Subscription; jobs: number }>();
  private readonly closers = new Set<() => void>();

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  /** Draining: long-lived listeners (SSE streams) end so the HTTP servers can close. */
  onModuleDestroy(): void {
    for (const close of [...this.closers]) close();
    for (const { subscription } of this.tenants.values()) subscription.unsubscribe();
    this.tenants.clear();
  }

  /**
   * Registers before the caller reads the stream, so no transition falls between read and listen: the
   * subscription goes out on the connection the event store reads through, ahead of the read.
   */
  listen(tenant: string, jobId: string, listener: Listener): () => void {
    const key = keyOf(tenant, jobId);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    const interest = this.interestIn(tenant);
    interest.jobs++;
    let listening = true;
    return () => {
      if (!listening) return;
      listening = false;
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
      if (--interest.jobs === 0 && this.tenants.get(tenant) === interest) {
        interest.subscription.unsubscribe();
        this.tenants.delete(tenant);
      }
    };
  }

  /** Called on shutdown; returns the deregistration. */
  onClose(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  private interestIn(tenant: string): { subscription: Subscription; jobs: number } {
    let interest = this.tenants.get(tenant);
    if (!interest) {
      const subscription = this.nc.subscribe(subjects.transitions(tenant, 'job'), { callback: (error, msg) => this.deliver(tenant, error, msg) });
      this.tenants.set(tenant, (interest = { subscription, jobs: 0 }));
    }
    return interest;
  }

  private deliver(tenant: string, error: NatsError | null, msg: Msg): void {
    if (error) {
      this.logger.warn(`transition subscription failed: ${error.message}`);
      return;
    }
    let notice: TransitionNotice;
    try {
      notice = transitionCodec.decode(msg.data);
    } catch {
      return;
    }
    const set = this.listeners.get(keyOf(tenant, notice.jobId));
    if (set) for (const listener of [...set]) listener(notice);
  }
}
