import { AUTHORIZATION_HEADER, serviceAuthorization } from '@jobstream/auth';
import { subjects } from '@jobstream/messaging';
import { headers, JSONCodec, NatsConnection } from 'nats';
import { ChildJob } from '../sdk/job-handler';
import { ChildSubmitter } from './running-job';

const json = JSONCodec<{ statusCode?: number; jobId?: string; message?: string }>();

/**
 * Child jobs go through the gateway's NATS submit, the one submit path of the system, so they get
 * the same validation, idempotency and events as any other job. The parent's correlation id and
 * its own id (as causation) travel in headers.
 */
export function natsChildSubmitter(nc: NatsConnection): ChildSubmitter {
  const authorization = serviceAuthorization('executor');
  return {
    async submit(tenant: string, job: ChildJob, correlationId: string, causationId: string) {
      const h = headers();
      h.set('x-correlation-id', correlationId);
      h.set('x-causation-id', causationId);
      const token = await authorization();
      if (token) h.set(AUTHORIZATION_HEADER, token);
      const reply = await nc.request(subjects.submit(tenant), json.encode(job as never), { timeout: 10_000, headers: h });
      const answer = json.decode(reply.data);
      if (!answer.jobId) throw new Error(`child job rejected (${answer.statusCode}): ${answer.message ?? 'no reason'}`);
      return answer.jobId;
    },
  };
}
