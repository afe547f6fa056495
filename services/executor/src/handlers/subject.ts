import { InvalidPayloadError } from './errors';

const WHITESPACE = /\s/;

/**
 * Validates a NATS subject: dot-separated non-empty tokens without whitespace. Wildcards (`*` as a
 * whole token, `>` as the whole last token) only where subscribing, since a publish to them is lost.
 */
export function natsSubject(value: unknown, field: string, wildcards: 'allowed' | 'forbidden'): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidPayloadError(field, 'must be a non-empty NATS subject');
  if (WHITESPACE.test(value)) throw new InvalidPayloadError(field, `"${value}" must not contain whitespace`);
  const tokens = value.split('.');
  tokens.forEach((token, i) => {
    if (token.length === 0) throw new InvalidPayloadError(field, `"${value}" has an empty token`);
    const wildcard = token.includes('*') || token.includes('>');
    if (!wildcard) return;
    if (wildcards === 'forbidden') throw new InvalidPayloadError(field, `"${value}" must not contain wildcards (* or >)`);
    const whole = token === '*' || (token === '>' && i === tokens.length - 1);
    if (!whole) throw new InvalidPayloadError(field, `"${value}" uses a wildcard inside a token or ">" before the last token`);
  });
  return value;
}
