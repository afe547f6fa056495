import { JSONCodec, type NatsConnection } from 'nats';
import { subjects } from './subjects';

/**
 * A core-NATS hint that a job's stream moved on. Hints may be lost (core NATS, no ack): readers use
 * them to wake up and re-read the stream, never as the record itself.
 */
export interface TransitionNotice {
  jobId: string;
  /** Type of the last appended event, e.g. `job.completed`. */
  type: string;
  /** Revision of the last appended event. */
  revision: number;
  status: string | null;
}

export const transitionCodec = JSONCodec<TransitionNotice>();

/** Best effort by design: a closed or draining connection loses the hint, never the append behind it. */
export function publishTransition(nc: NatsConnection, tenant: string, notice: TransitionNotice): void {
  try {
    nc.publish(subjects.transitions(tenant, 'job'), transitionCodec.encode(notice));
  } catch {
    // Readers re-read the stream at their deadline.
  }
}
