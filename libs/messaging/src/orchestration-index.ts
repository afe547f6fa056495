import { openBucket } from './buckets';
import { DeliverPolicy, JSONCodec, type JetStreamClient, type KV, type NatsConnection } from 'nats';

/**
 * Small lookups the log alone cannot answer cheaply, in NATS KV. The scheduler's process manager writes
 * them from the log; the gateway writes the listing keys too as it appends, for read-your-writes listings
 * (a crash between its append and its put is repaired by the process manager). Every write is an
 * idempotent put or delete driven by the log:
 * - `def.<tenant>.<definitionId>`: the definitions of a tenant (REST list);
 * - `run.<tenant>.<definitionId>.<runId>`: the instances of a definition (REST list);
 * - `running.<tenant>.<definitionId>.<runId>`: instances still going (overlap policy);
 * - `queued.<tenant>.<definitionId>`: the one fire held back by QUEUE_ONE;
 * - `job.<tenant>.<jobId>`: the run task a job was launched for (outcomes come back as job events);
 * - `vars.<tenant>.<runId>`: workflow variables handed from one task's job to the next.
 */
export const ORCHESTRATION_BUCKET = 'jobstream_orchestration';

export interface JobLink {
  runId: string;
  index: number;
  /** The job id the run recorded in task-launched; taskFinished must name it. */
  launchId: string;
}

const json = JSONCodec<unknown>();

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

  async put(key: string, value: unknown = true): Promise<void> {
    await this.kv.put(key, json.encode(value));
  }

  async remove(key: string): Promise<void> {
    await this.kv.purge(key);
  }

  /** Only when absent; false when the key exists. */
  async create(key: string, value: unknown = true): Promise<boolean> {
    try {
      await this.kv.create(key, json.encode(value));
      return true;
    } catch (error) {
      if (/wrong last sequence|key exists/i.test(String(error))) return false;
      throw error;
    }
  }

  async get<T>(key: string): Promise<T | null> {
    const entry = await this.kv.get(key);
    return entry && entry.operation === 'PUT' && entry.value.length > 0 ? (json.decode(entry.value) as T) : null;
  }

  /**
   * The last token of every live key under `prefix.`: the last message per key through an ordered
   * consumer, headers only, sorted. (kv.keys() of this client missed keys written by another connection.)
   */
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
    const messages = await consumer.fetch({ max_messages: pending, expires: 5_000 });
    for await (const m of messages) {
      const operation = m.headers?.get('KV-Operation');
      if (!operation) out.push(m.subject.slice(subjectPrefix.length));
      if (m.info.pending === 0) break;
    }
    return out.sort();
  }
}

export const orchestrationKeys = {
  /** Listing prefixes: `ids(definitions(t))` are a tenant's definitions, `ids(runs(t, d))` a definition's runs. */
  definitions: (tenant: string) => `def.${tenant}`,
  runs: (tenant: string, definitionId: string) => `run.${tenant}.${definitionId}`,
  definition: (tenant: string, definitionId: string) => `def.${tenant}.${definitionId}`,
  run: (tenant: string, definitionId: string, runId: string) => `run.${tenant}.${definitionId}.${runId}`,
  running: (tenant: string, definitionId: string, runId: string) => `running.${tenant}.${definitionId}.${runId}`,
  runningOf: (tenant: string, definitionId: string) => `running.${tenant}.${definitionId}`,
  queued: (tenant: string, definitionId: string) => `queued.${tenant}.${definitionId}`,
  job: (tenant: string, jobId: string) => `job.${tenant}.${jobId}`,
  vars: (tenant: string, runId: string) => `vars.${tenant}.${runId}`,
};
