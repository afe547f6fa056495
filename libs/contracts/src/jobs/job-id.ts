import { createHash, randomUUID } from 'node:crypto';

/**
 * The job id of an idempotent submit is derived from (tenant, idempotencyKey) as a UUID v5-style
 * hash, so two submits with the same key race for the same stream and optimistic concurrency
 * ("no stream yet") lets exactly one of them create it. No lookup table is needed.
 */
export function jobIdFor(tenant: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return randomUUID();
  const hash = createHash('sha1').update(`jobstream:${tenant}:${idempotencyKey}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
