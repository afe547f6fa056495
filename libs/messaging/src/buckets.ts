import type { KV, KvOptions, NatsConnection } from 'nats';

/** JETSTREAM_REPLICAS: replicas of the work stream and of every KV bucket (3 on a 3-node cluster). */
export const jetStreamReplicas = (): number => Number(process.env.JETSTREAM_REPLICAS ?? 1);

/**
 * Opens (creating if needed) a KV bucket keeping the latest value of each key, with JETSTREAM_REPLICAS
 * replicas. A replicated bucket is read from its leader: a direct get may be answered by a follower that
 * has not applied the last write yet (nats-server 2.9 gives direct gets no read-after-write), so a lease,
 * heartbeat or checkpoint just written could read as its previous value. One node keeps direct gets.
 */
export function openBucket(nc: NatsConnection, bucket: string, options: Partial<KvOptions> = {}): Promise<KV> {
  const replicas = jetStreamReplicas();
  return nc.jetstream().views.kv(bucket, { history: 1, replicas, ...(replicas > 1 && { allow_direct: false }), ...options });
}
