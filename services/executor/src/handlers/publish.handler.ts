import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { throwIfAborted } from './errors';
import { encodeData, onlyFields } from './payload';
import { natsSubject } from './subject';

/** Publishes `payload.data` (text as is, anything else as JSON) on a core NATS subject. */
@JobHandler('publish')
export class PublishHandler implements JobHandler {
  async execute(ctx: JobContext): Promise<JobOutcome> {
    onlyFields(ctx.payload, ['subject', 'data']);
    const subject = natsSubject(ctx.payload.subject, 'subject', 'forbidden');
    const data = encodeData(ctx.payload, 'data');
    throwIfAborted(ctx.signal);
    await ctx.publish(subject, data);
    return { output: { subject, bytes: data.length } };
  }
}
