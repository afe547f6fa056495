import { openBucket } from '@jobstream/messaging';
import { DeliverPolicy, JSONCodec, type JetStreamClient, type KV, type NatsConnection } from 'nats';

/**
 * The listing keys of the scheduler's orchestration index (services/scheduler/src/orchestration/
 * orchestration-index.ts, same bucket and key layout): the gateway writes them as it appends, for
 * read-your-writes listings, and the scheduler's process manager writes the same keys from the log,
 * which repairs anything a crash between append and put left out.
 */
export const ORCHESTRATION_BUCKET = 'jobstream_orchestration';

const json = JSONCodec<unknown>();

export const indexKeys = {
  definitions: (tenant: string) => `def.${tenant}`,
  definition: (tenant: string, definitionId: string) => `def.${tenant}.${definitionId}`,
  runs: (tenant: string, definitionId: string) => `run.${tenant}.${definitionId}`,
  run: (tenant: string, definitionId: string, runId: string) => `run.${tenant}.${definitionId}.${runId}`,
};

export class OrchestrationIndex {
  private constructor(
    private readonly kv: KV,
    private readonly js: JetStreamClient,
  ) {}

  static async open(nc: NatsConnection): Promise<OrchestrationIndex> {
    const js = nc.jetstream();
    const kv = await openBucket(nc, ORCHESTRATION_BUCKET);
    return new OrchestrationIndex(kv, js);
  }

  async put(key: string): Promise<void> {
    await this.kv.put(key, json.encode(true));
  }

  async remove(key: string): Promise<void> {
    await this.kv.purge(key);
  }

  /** The last token of every live key under `prefix.`, read as the last message per key (headers only). */
  async ids(prefix: string): Promise<string[]> {
    const subjectPrefix = `$KV.${ORCHESTRATION_BUCKET}.${prefix}.`;
    const consumer = await this.js.consumers.get(`KV_${ORCHESTRATION_BUCKET}`, {
      filterSubjects: `${subjectPrefix}*`,
      deliver_policy: DeliverPolicy.LastPerSubject,
      headers_only: true,
    });
    const pending = (await consumer.info()).num_pending;
    const out: string[] = [];
    if (pending === 0) return out;
    for await (const m of await consumer.fetch({ max_messages: pending, expires: 5_000 })) {
      if (!m.headers?.get('KV-Operation')) out.push(m.subject.slice(subjectPrefix.length));
      if (m.info.pending === 0) break;
    }
    return out.sort();
  }
}
