import type { NatsConnection } from 'nats';
import { connectForService } from '@jobstream/messaging';
import { compareJetStreamPositions, JetStreamEventStore } from './jetstream/jetstream-event-store';
import { KurrentEventStore } from './kurrent/kurrent-event-store';
import { compareKurrentPositions } from './kurrent/mapping';
import type { PositionOrder } from './shared-subscriptions';
import type { EventStore } from './port';
import { DEFAULT_MAX_EVENT_BYTES, validateTokens } from './validation';

export type EventStoreKind = 'jetstream' | 'eventstoredb';

export interface EventStoreConfig {
  kind: EventStoreKind;
  natsUrl: string;
  /** Required when kind is 'eventstoredb'. */
  eventStoreUrl?: string;
  streamName: string;
  subjectPrefix: string;
  maxEventBytes: number;
  /** JetStream replicas of the event stream (JETSTREAM_REPLICAS, 1..5); 3 on a 3-node cluster. */
  replicas: number;
}

export class EventStoreConfigError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}="${value}" is invalid: expected ${expected}`);
    this.name = 'EventStoreConfigError';
  }
}

/** Reads EVENT_STORE, NATS_URL, EVENTSTORE_URL, EVENT_STREAM_NAME, EVENT_SUBJECT_PREFIX and EVENT_MAX_BYTES. */
export function loadEventStoreConfig(env: Record<string, string | undefined> = process.env): EventStoreConfig {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };

  const kind = value('EVENT_STORE') ?? 'jetstream';
  if (kind !== 'jetstream' && kind !== 'eventstoredb') throw new EventStoreConfigError('EVENT_STORE', kind, '"jetstream" or "eventstoredb"');

  const natsUrl = value('NATS_URL') ?? 'nats://127.0.0.1:4222';
  for (const server of natsUrl.split(',')) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s/]+$/.test(server.trim())) {
      throw new EventStoreConfigError('NATS_URL', natsUrl, 'comma-separated nats://host:port URLs');
    }
  }

  const eventStoreUrl = value('EVENTSTORE_URL');
  if (eventStoreUrl !== undefined && !/^(esdb|kurrentdb|kdb)(\+discover)?:\/\/\S+$/.test(eventStoreUrl)) {
    throw new EventStoreConfigError('EVENTSTORE_URL', eventStoreUrl, 'an esdb:// or kurrentdb:// connection string');
  }
  if (kind === 'eventstoredb' && eventStoreUrl === undefined) {
    throw new EventStoreConfigError('EVENTSTORE_URL', '', 'a connection string when EVENT_STORE=eventstoredb');
  }

  const streamName = value('EVENT_STREAM_NAME') ?? 'JOBSTREAM_EVENTS';
  if (!/^[A-Za-z0-9_-]+$/.test(streamName)) throw new EventStoreConfigError('EVENT_STREAM_NAME', streamName, 'letters, digits, "_" or "-"');

  const subjectPrefix = value('EVENT_SUBJECT_PREFIX') ?? 'es';
  try {
    validateTokens(subjectPrefix, 'EVENT_SUBJECT_PREFIX');
  } catch {
    throw new EventStoreConfigError('EVENT_SUBJECT_PREFIX', subjectPrefix, 'dot-separated subject tokens without wildcards or spaces');
  }

  const rawMax = value('EVENT_MAX_BYTES');
  const maxEventBytes = rawMax === undefined ? DEFAULT_MAX_EVENT_BYTES : Number(rawMax);
  if (!/^\d+$/.test(rawMax ?? '1') || !Number.isSafeInteger(maxEventBytes) || maxEventBytes <= 0) {
    throw new EventStoreConfigError('EVENT_MAX_BYTES', rawMax ?? '', 'a positive integer number of bytes');
  }

  const replicas = Number(value('JETSTREAM_REPLICAS') ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new EventStoreConfigError('JETSTREAM_REPLICAS', String(replicas), 'an integer from 1 to 5');

  return { kind, natsUrl, eventStoreUrl, streamName, subjectPrefix, maxEventBytes, replicas };
}

export interface EventStoreDependencies {
  /** Reuse this connection instead of dialing NATS_URL; the store then leaves it open on close(). */
  nats?: NatsConnection;
}

/** How the configured store orders its positions. */
export function positionOrderOf(kind: EventStoreKind): PositionOrder {
  return kind === 'jetstream' ? compareJetStreamPositions : compareKurrentPositions;
}

export async function createEventStore(
  config: EventStoreConfig = loadEventStoreConfig(),
  dependencies: EventStoreDependencies = {},
): Promise<EventStore> {
  if (config.kind === 'eventstoredb') {
    if (!config.eventStoreUrl) throw new EventStoreConfigError('EVENTSTORE_URL', '', 'a connection string when EVENT_STORE=eventstoredb');
    return KurrentEventStore.connect(config.eventStoreUrl, { maxEventBytes: config.maxEventBytes });
  }
  const nc = dependencies.nats ?? (await connectForService({ servers: config.natsUrl.split(',').map((s) => s.trim()) }));
  try {
    return await JetStreamEventStore.start(nc, {
      streamName: config.streamName,
      subjectPrefix: config.subjectPrefix,
      maxEventBytes: config.maxEventBytes,
      replicas: config.replicas,
      ownsConnection: dependencies.nats === undefined,
    });
  } catch (error) {
    if (dependencies.nats === undefined) await nc.close();
    throw error;
  }
}
