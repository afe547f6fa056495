import { IDENTIFIER_RULE, isIdentifier } from '@jobstream/contracts';
import { InvalidPayloadError } from './errors';

export type Payload = Record<string, unknown>;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Rejects fields the job type does not know, so a typo (`timeoutMS`) fails instead of being ignored. */
export function onlyFields(payload: Payload, allowed: readonly string[]): void {
  const unknown = Object.keys(payload).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new InvalidPayloadError(unknown, `is not a known field (expected ${allowed.join(', ')})`);
  }
}

export function requiredString(payload: Payload, field: string): string {
  const value = payload[field];
  if (typeof value !== 'string' || value.length === 0) throw new InvalidPayloadError(field, 'must be a non-empty string');
  return value;
}

export function optionalString(payload: Payload, field: string): string | undefined {
  return payload[field] === undefined ? undefined : requiredString(payload, field);
}

export function optionalInteger(payload: Payload, field: string, min: number, max: number, fallback: number): number {
  const value = payload[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPayloadError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function optionalBoolean(payload: Payload, field: string, fallback: boolean): boolean {
  const value = payload[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidPayloadError(field, 'must be true or false');
  return value;
}

export function optionalObject(payload: Payload, field: string): Record<string, unknown> | undefined {
  const value = payload[field];
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw new InvalidPayloadError(field, 'must be an object');
  return value;
}

/** A job type to submit: the same identifier rule the submit API applies. */
export function jobType(payload: Payload, field: string): string {
  const value = payload[field];
  if (!isIdentifier(value)) throw new InvalidPayloadError(field, `must be a job type (${IDENTIFIER_RULE})`);
  return value;
}

/** Strings travel as UTF-8 text, anything else as JSON. */
export function encodeData(payload: Payload, field: string): Uint8Array {
  const value = payload[field];
  if (value === undefined) throw new InvalidPayloadError(field, 'is required (a string or any JSON value)');
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Message bodies are JSON when they parse as JSON, text otherwise. */
export function decodeData(data: Uint8Array): unknown {
  const text = new TextDecoder().decode(data);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
