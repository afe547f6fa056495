/** Tenants and job types become NATS subject tokens and stream ids: no dots, wildcards or spaces. */
export const IDENTIFIER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const IDENTIFIER_RULE = 'lowercase letters, digits, "-" or "_", 1 to 63 characters';

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER_PATTERN.test(value);
}
