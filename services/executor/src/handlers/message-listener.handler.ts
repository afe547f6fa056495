import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { InvalidPayloadError, whenAborted } from './errors';
import { decodeData, jobType, onlyFields, optionalObject, optionalString, Payload } from './payload';
import { natsSubject } from './subject';
import { ThrottledProgress } from './throttled-progress';

export interface MessageListenerPayload {
  subject: string;
  queue?: string;
  jobType: string;
  payloadTemplate: Record<string, unknown>;
}

export function parseMessageListenerPayload(payload: Payload): MessageListenerPayload {
  onlyFields(payload, ['subject', 'queue', 'jobType', 'payloadTemplate']);
  const subject = natsSubject(payload.subject, 'subject', 'allowed');
  const queue = optionalString(payload, 'queue');
  if (queue !== undefined && /\s/.test(queue)) throw new InvalidPayloadError('queue', 'must not contain whitespace');
  const payloadTemplate = optionalObject(payload, 'payloadTemplate') ?? {};
  // The template is spread last, so these keys would silently replace the message itself.
  const reserved = ['message', 'subject'].find((key) => key in payloadTemplate);
  if (reserved) throw new InvalidPayloadError(`payloadTemplate.${reserved}`, 'is reserved for the received message');
  return { subject, queue, jobType: jobType(payload, 'jobType'), payloadTemplate };
}

/**
 * Seed JES "Message Bus Listener": starts a `jobType` job for every message on `subject` until the
 * job is cancelled. Scaled instances share one queue group, so each message starts one job.
 */
@JobHandler('message-listener', { singleton: true, scalable: true })
export class MessageListenerHandler implements JobHandler {
  async execute(ctx: JobContext): Promise<JobOutcome> {
    const config = parseMessageListenerPayload(ctx.payload);
    const counts = { messagesReceived: 0, jobsStarted: 0 };
    const progress = new ThrottledProgress(ctx);
    const inFlight = new Set<Promise<void>>();

    // Core NATS does not redeliver: a message that reaches this subscription after the abort is
    // still turned into a job rather than dropped, until the runtime ends the subscription.
    const onMessage = async (data: Uint8Array, subject: string): Promise<void> => {
      counts.messagesReceived += 1;
      progress.report(`${counts.messagesReceived} messages`);
      try {
        await ctx.submit({ type: config.jobType, payload: { message: decodeData(data), subject, ...config.payloadTemplate } });
        counts.jobsStarted += 1;
      } catch (error) {
        ctx.log.warn('could not start a job for a message', { subject, jobType: config.jobType, error });
      }
      // Kept current so the counts are on record even if the runtime ends the job as cancelled.
      Object.assign(ctx.jobVariables, counts);
    };
    const track = (data: Uint8Array, subject: string) => {
      const handling = onMessage(data, subject).finally(() => inFlight.delete(handling));
      inFlight.add(handling);
      return handling;
    };

    if (!ctx.signal.aborted) ctx.subscribe(config.subject, track, config.queue ?? `listener.${ctx.jobId}`);
    await whenAborted(ctx.signal);
    await Promise.all(inFlight);
    await progress.stop();
    return { jobVariables: { ...counts } };
  }
}
