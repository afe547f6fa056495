import { NatsError, type JetStreamManager, type StreamConfig } from 'nats';

/** JetStream's "stream not found" (API error 10059), however the client words it. */
function isStreamNotFound(error: unknown): boolean {
  if (!(error instanceof NatsError)) return /stream not found/i.test(String(error));
  return error.code === '404' || error.api_error?.err_code === 10059 || /stream not found/i.test(error.message);
}

/** Whether applying `wanted` would change any field of `current`. */
function changes(current: object, wanted: object): boolean {
  return Object.entries(wanted).some(([key, value]) => JSON.stringify((current as Record<string, unknown>)[key]) !== JSON.stringify(value));
}

/**
 * Creates the stream or updates it to this config; returns its replica count. Replicas only grow: a
 * client started with the default of 1 (a tool, a service missing JETSTREAM_REPLICAS) must not shrink a
 * replicated stream onto one node. An unchanged config is not sent again: on a cluster every update is
 * a proposal through the meta leader, and every service sent one at each start.
 */
export async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig>): Promise<number> {
  const name = config.name as string;
  const update = async () => {
    const info = await jsm.streams.info(name);
    const wanted = { ...config, num_replicas: Math.max(info.config.num_replicas, config.num_replicas ?? 1) };
    if (changes(info.config, wanted)) await jsm.streams.update(name, { ...info.config, ...wanted });
    return wanted.num_replicas;
  };
  try {
    return await update();
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
  }
  try {
    await jsm.streams.add(config);
    return config.num_replicas ?? 1;
  } catch (error) {
    // Another process created it between our info and add.
    if (!/already in use/i.test((error as Error).message)) throw error;
    return update();
  }
}
